/// Ordinary English words that a knowledge base may also use as a concept's alias ("scale",
/// "training", "trigger"). A one-word alias in this list is *ambiguous*: `Linker` counts it only
/// with context (see `Linker` and docs/LINKING.md). Lower case; the matcher folds case.
enum CommonWords {
    static let list: Set<String> = Set("""
    a about above across act action actions add after again against age agent agents aim all allow alone along \
    already also always among amount an analysis and angle another answer any apply approach area areas argument \
    around art as ask at attack attacks attempt attention author average away back bad balance bar base based basis \
    be because become been before begin behavior behaviors behaviour behaviours being belief below benefit best \
    better between beyond bias big bit block body book both bound box break bridge brief bring build but by call \
    can capacity capability care carry case cases cause cell centre center chain chance change changes channel \
    character charge check choice claim class clean clear close code cold collapse come common company compare \
    condition conditions context control copy core cost could count course cover create critical cue current cut \
    data date day deal decision deep default defense defence degree demand depth design detail detection \
    development device difference direction distance distribution do does domain done doubt down draw drift drive \
    drop due during each early edge effect effects effort either element else end energy engine enough entry \
    environment error even event evidence exact example experience experiment experiments explain eye face fact \
    factor fail failure fair fall far feature features feedback field figure file fill final find fine fire first \
    fit fix flag flow focus follow for force form forward frame free from front full function future gain game \
    gap general get give given go goal good grade graph ground group grow growth guard guide hand handle hard have \
    head health hear heart heat help hidden high hold home hope how however idea if image impact in increase \
    index input inside instance instead interest into issue it item job join just keep key kind know knowledge \
    label lack language large last late law layer lead learn learning least leave left length less let level \
    life light like limit limits line link list little live load local lock logic long look loop loss lot low \
    machine main make man many map mark market mass match matter may mean measure memory method methods middle \
    might mind miss mode model models monitor more most move much must name nature near need network never new \
    next no node noise none normal not note nothing now number object of off offer often old on once one only \
    open operation option or order origin other out outcome output over own page pair paper part party pass past \
    path pattern people period person picture piece place plan plant play point policy pool poor position power \
    practice present pressure prior probe probing problem process product program progress project proof \
    property protection prove public pull purpose push put quality question quick range rate rather reach read \
    real reason record reduce region remove report research reset response rest result results return review \
    reward right risk role room root rule run safe safety same sample save say scale scene school score search \
    second section security see seed select sense series service set setting shape share shift short show side \
    sign signal simple single site size skill small so social solution some sort source space speed split spread \
    stage stand standard start state step still stop store story strength strong structure study style subject \
    such support surface system table take talk target task team term test testing tests text than that the \
    then theory there these thing think this those through time tool top total touch trace track trade train \
    training transfer tree trend trial trigger triggers true trust truth try turn type under unit up update use \
    user value version view vision voice wait want war watch water way weight well what when where which while \
    whole why will with within without word work world would write year yes yet you zero
    """.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty })

    /// Words that neither start nor end a new-concept candidate ("the", "of", …).
    static let stop: Set<String> = Set("""
    a an and are as at be been being but by can could did do does doing done for from had has have having he her \
    here his how i if in into is it its itself just may me might more most much must my no nor not of off on once \
    only or other our out over own same she should so some such than that the their them then there these they \
    this those through to too under until up very was we were what when where which while who whom why will with \
    would you your also each every any all both few many several one two three first second new even still yet \
    however thus rather instead whether because about after again against before between during without within \
    across among along around upon via per like unlike s t
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    /// Verbs that end or start no term ("models learn", "shows that").
    static let verbs: Set<String> = Set("""
    learn learns show shows make makes use uses become becomes remain remains seem seems appear appears get gets keep     keeps take takes suggest suggests work works need needs find finds give gives go goes say says see sees know knows     think thinks want wants try tries call calls help helps turn turns run runs hold holds let lets put puts mean means     is are was were be been has have had do does did can could will would should may might must
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
}
