/// A small English part-of-speech lexicon and morphology, written for `kg link`: closed word
/// classes listed in full, a few hundred common verbs (with their irregular forms), common
/// adjectives and adverbs, and suffix rules for the rest. Unknown words are nouns.
///
/// It is enough to find clauses, verb groups and noun phrases in expository prose (lessons,
/// papers, notes) — the structures `RelationFinder` and `CandidateFinder` need — not a general
/// tagger. Everything is lower case.
enum Lexicon {
    static func words(_ s: String) -> Set<String> { Set(s.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)) }

    static let determiners = words("""
        a an the this that these those each every some any no all both either neither another other such \
        many much few several most more less least enough my your his her its our their whose what which whatever
        """)
    static let pronouns = words("""
        i me you he him she it we us they them something anything nothing everything someone anyone nobody \
        everyone somebody anybody itself themselves himself herself ourselves yourself yourselves myself one ones \
        this that these those none each both either neither all
        """)
    /// Pronouns that can be the subject of a finite verb.
    static let subjectPronouns = words("i you he she it we they this that these those one nobody everyone someone something nothing everything")
    static let prepositions = words("""
        of in on at by for with without from into onto about above below under over through throughout across along \
        among amongst against between beyond during after before since until till within via per despite toward towards \
        upon around near unlike off out up down inside outside behind beneath besides except regarding including \
        concerning than like as to versus vs amid past
        """)
    static let coordinators = words("and or but nor yet")
    static let subordinators = words("""
        because although though while whereas if unless when whenever where wherever once since until whether so \
        after before as than
        """)
    static let relatives = words("which who whom whose that")
    static let whWords = words("what how why where when whether whatever whoever")
    static let be = words("be am is are was were been being")
    static let have = words("have has had having")
    static let doForms = words("do does did doing done")
    static let modals = words("can could may might must shall should will would cannot ought")
    static let negations = words("not never no none nor neither without cannot nothing nobody")
    /// Adverbs (besides words in -ly).
    static let adverbs = words("""
        also only even just still already often sometimes always never usually rarely seldom then therefore thus hence \
        however instead moreover furthermore indeed perhaps maybe possibly probably actually really very quite rather \
        too so merely simply exactly directly here there now yet again once twice later soon almost nearly ever well \
        far further much more most less least first second third finally else otherwise anyway altogether together \
        apart away back forward ahead meanwhile likewise nonetheless nevertheless thereby alone sooner instead \
        somewhat anyhow elsewhere everywhere somewhere overall at_least
        """)
    /// Words ending in -ly that are not adverbs.
    static let lyNotAdverb = words("""
        family supply apply reply rely fly ally assembly anomaly italy july imply multiply comply only early likely \
        unlikely daily weekly monthly yearly friendly costly ugly holy lonely lovely silly jelly belly bully rally \
        butterfly monopoly homily folly
        """)
    /// Common adjectives (suffix rules catch many more).
    static let adjectives = words("""
        good bad new old large small big little great high low long short early late hard easy simple clear true \
        false real main key same different other whole full empty safe unsafe open closed hidden visible invisible \
        known unknown common rare specific general particular certain possible impossible likely unlikely able \
        unable available strong weak deep shallow thin thick light heavy fast slow quick ready sure aware clean \
        dirty wrong right correct normal ordinary standard harmful helpful useful useless honest dishonest robust \
        brittle fragile stable subtle obvious explicit implicit natural artificial human internal external final \
        initial previous next last present past future recent current modern open single double major minor \
        narrow broad wide free cheap expensive dangerous serious critical central basic random rough precise \
        exact worse better best worst larger largest smaller smallest higher lower bigger biggest deeper stronger \
        weaker earlier later newer older more less fewer further own due prior various numerous several such \
        responsible vulnerable detectable predictable reliable capable sensitive relevant important significant \
        empirical theoretical practical technical formal informal mechanistic behavioral behavioural conditional \
        adversarial malicious benign deceptive aligned misaligned unaligned fine intact untouched alive aware \
        enough top bottom inner outer upper entire overall average total partial multimodal proprietary \
        uncomfortable striking counterintuitive physical linear nonlinear generic labelled labeled apparent \
        flawless harmless silent evident uncertain unclear precise high-stakes third-party off-distribution
        """)
    /// Nouns that look like verb forms or adjectives: never tagged otherwise.
    static let nounOnly = words("""
        thing things string strings ring king spring nothing something everything anything morning evening ceiling \
        wedding seed speed bed hundred red news series species data analysis basis hypothesis thesis crisis \
        means process access success class gas bias lens status corpus focus consensus virus bonus loss boss \
        alignment training learning reasoning setting settings finding findings meaning understanding building \
        warning warnings beginning embedding embeddings ending heading headings label labels weights weight bias \
        input inputs output outputs feedback research evidence knowledge behavior behaviour behaviors behaviours \
        model models paper papers study lab labs data dataset datasets benchmark benchmarks token tokens layer layers \
        probe probes case cases example examples method methods technique techniques trigger triggers \
        prompt prompts failure failures safety deployment evaluation evaluations
        """)
    /// Words that are both a noun and a verb in ordinary use; context decides.
    static let nounVerb = words("""
        attack audit block call cause change check claim condition control cover cut deal drop end exercise fire fit \
        fix flag focus form frame game guard guess hack harm help hold hope label lack lead limit link look match \
        measure monitor need note offer plan plant play point probe prompt push question reach record release report \
        rest result return reward run scale score set shape shift signal split stand start state stop store study \
        supply support surface switch target test train transfer trigger trust turn update use view watch work \
        yield attempt answer design estimate increase decrease process access influence mark order program range \
        review share show sort step sign risk rule fear force cost experience impact interest place project \
        benefit challenge concern contrast effect feature filter fool guide input insert load model name object \
        pass patch pattern picture power practice pressure protest rank rate reason rely repeat request sample \
        search sense silence source spread stress structure talk taste track trade value vote wish worry
        """)
    /// Common verbs, base form. Inflected forms are derived (`lemma(of:)`); irregular ones are listed below.
    static let verbs = words("""
        accept achieve act activate adapt add address adjust affect aim allow alter analyse analyze answer appear \
        apply argue arise ask assess assume attack attempt audit avoid be become begin believe belong block borrow \
        break bring build calibrate call carry catch cause certify change check choose claim close collect combine \
        come compare complement complete compute conceal conclude condition confirm confuse connect consider \
        consist constrain contain continue contribute control convince correct cover create cut deal decide deceive \
        decrease deepen defeat define degrade deliver demonstrate deny depend deploy derive describe design detect \
        determine develop differ disable discover distill distil document do drive drop elicit eliminate emerge \
        enable encourage end ensure enter erase establish estimate evade evaluate examine exceed execute exercise \
        exhibit exist expect explain exploit expose express extend extract fail fall favour favor feed find fire \
        fit fix flag flip focus follow fool force forget form frame gain game generalise generalize generate get \
        give go grow guarantee guard guess hack handle happen harden harm have help hide hold hope hurt identify \
        ignore illustrate imitate implant imply improve include increase indicate induce inform insert inspect \
        install intend interpret introduce investigate involve keep know label lack lead learn leave let lie limit \
        link live locate look lose maintain make manipulate match matter mean measure meet mislead miss misbehave \
        mitigate monitor motivate move narrow need note notice observe obtain occur offer open operate optimise \
        optimize outperform overcome pass penalise penalize perform permit persist pick place plan plant play \
        point poison predict prefer prepare present preserve prevent probe produce prompt protect prove provide \
        publish pull push put raise reach read realise realize recall receive recognise recognize record recover \
        reduce refer refuse regard reinforce reject relate release rely remain remember remove render repair \
        repeat replace replicate report represent require reshape resist respond rest restore result retain \
        return reveal reward run satisfy say scale score see seek select send separate serve set shape share \
        sharpen shield shift show shrink signal simulate skip slip solve sound speak spend split stand start \
        state stay steer stop store strengthen strip study submit succeed suffer suggest summarise summarize \
        supervise supply support suppress survive suspect switch take talk target teach tell tend test think \
        threaten throw track train transfer transform treat trigger trust try turn uncover undergo understand \
        undermine unlearn update use validate vary verify view violate vouch wait want warn watch weaken wear \
        win withstand work worsen write yield backfire caution complement concentrate confront cooperate distort \
        exploit flip harden invert nudge outweigh overfit overlook recur reappear rewrite sabotage scrutinise \
        scrutinize stem strip sway tamper undo unmask vanish widen worry inherit obscure outlast override \
        provoke reassure reframe relabel retrain shrink surface sustain tighten translate trick undercut unlock \
        unravel weigh behave misbehave rate rank fine-tune pretrain pre-train red-team jailbreak backdoor \
        instruct reproduce extrapolate generalise discourage penalise weaponise weaponize replicate elicit
        """)
    /// Irregular verbs: base → (past, participle).
    static let irregular: [String: (String, String)] = [
        "be": ("was", "been"), "have": ("had", "had"), "do": ("did", "done"), "go": ("went", "gone"),
        "make": ("made", "made"), "take": ("took", "taken"), "give": ("gave", "given"), "find": ("found", "found"),
        "show": ("showed", "shown"), "know": ("knew", "known"), "see": ("saw", "seen"), "get": ("got", "gotten"),
        "leave": ("left", "left"), "keep": ("kept", "kept"), "teach": ("taught", "taught"), "think": ("thought", "thought"),
        "bring": ("brought", "brought"), "catch": ("caught", "caught"), "seek": ("sought", "sought"), "tell": ("told", "told"),
        "say": ("said", "said"), "hold": ("held", "held"), "lead": ("led", "led"), "read": ("read", "read"),
        "feed": ("fed", "fed"), "hide": ("hid", "hidden"), "write": ("wrote", "written"), "break": ("broke", "broken"),
        "choose": ("chose", "chosen"), "fall": ("fell", "fallen"), "forget": ("forgot", "forgotten"), "grow": ("grew", "grown"),
        "lose": ("lost", "lost"), "mean": ("meant", "meant"), "meet": ("met", "met"), "put": ("put", "put"),
        "set": ("set", "set"), "cut": ("cut", "cut"), "let": ("let", "let"), "run": ("ran", "run"),
        "begin": ("began", "begun"), "come": ("came", "come"), "become": ("became", "become"), "spend": ("spent", "spent"),
        "stand": ("stood", "stood"), "understand": ("understood", "understood"), "undergo": ("underwent", "undergone"),
        "withstand": ("withstood", "withstood"), "win": ("won", "won"), "throw": ("threw", "thrown"), "wear": ("wore", "worn"),
        "draw": ("drew", "drawn"), "drive": ("drove", "driven"), "arise": ("arose", "arisen"), "lie": ("lay", "lain"),
        "build": ("built", "built"), "send": ("sent", "sent"), "shrink": ("shrank", "shrunk"), "speak": ("spoke", "spoken"),
        "mislead": ("misled", "misled"), "overcome": ("overcame", "overcome"), "rewrite": ("rewrote", "rewritten"),
        "undo": ("undid", "undone"), "outrun": ("outran", "outrun"), "forbid": ("forbade", "forbidden"),
        "hurt": ("hurt", "hurt"), "split": ("split", "split"), "spread": ("spread", "spread"), "learn": ("learned", "learned"),
        "distil": ("distilled", "distilled"), "weigh": ("weighed", "weighed"), "inherit": ("inherited", "inherited"),
    ]
    /// Extra irregular spellings (form → base).
    static let extraForms: [String: String] = ["learnt": "learn", "spelt": "spell", "burnt": "burn", "dreamt": "dream"]

    /// Verb forms.
    struct Form: OptionSet, Hashable {
        let rawValue: UInt8
        static let base = Form(rawValue: 1)
        static let third = Form(rawValue: 2)
        static let past = Form(rawValue: 4)
        static let participle = Form(rawValue: 8)
        static let gerund = Form(rawValue: 16)
    }

    private static let irregularIndex: [String: (String, Form)] = {
        var out: [String: (String, Form)] = [:]
        for (base, (past, part)) in irregular {
            var f = out[past]?.1 ?? []
            f.insert(.past)
            if past == part { f.insert(.participle) }
            out[past] = (base, f)
            if past != part {
                var g = out[part]?.1 ?? []
                g.insert(.participle)
                out[part] = (base, g)
            }
        }
        for (form, base) in extraForms { out[form] = (base, [.past, .participle]) }
        return out
    }()

    /// The base form and the forms a word can be, when it is a form of a known verb (or of one of
    /// `extra`, the verbs of cue phrases).
    static func lemma(of w: String, extra: Set<String> = []) -> (base: String, form: Form)? {
        func known(_ b: String) -> Bool { verbs.contains(b) || extra.contains(b) }
        if let (b, f) = irregularIndex[w], known(b) {
            var form = f
            if known(w) { form.insert(.base) }  // "read", "put", "set", "cut"
            return (b, form)
        }
        if known(w) { return (w, .base) }
        let n = w.count
        if n > 3 && w.hasSuffix("ies") { let b = String(w.dropLast(3)) + "y"; if known(b) { return (b, .third) } }
        if n > 3 && w.hasSuffix("es") {
            let b = String(w.dropLast(2))
            if known(b) && (b.hasSuffix("s") || b.hasSuffix("x") || b.hasSuffix("z") || b.hasSuffix("ch") || b.hasSuffix("sh") || b.hasSuffix("o")) {
                return (b, .third)
            }
        }
        if n > 2 && w.hasSuffix("s") && !w.hasSuffix("ss") { let b = String(w.dropLast()); if known(b) { return (b, .third) } }
        if n > 3 && w.hasSuffix("ied") { let b = String(w.dropLast(3)) + "y"; if known(b) { return (b, [.past, .participle]) } }
        if n > 3 && w.hasSuffix("ed") {
            let stem = String(w.dropLast(2))
            for b in [stem, stem + "e", undouble(stem)].compactMap({ $0 }) where known(b) {
                if let irr = irregular[b], irr.0 != w && irr.1 != w { continue }  // "teached" is not a form
                return (b, [.past, .participle])
            }
        }
        if n > 4 && w.hasSuffix("ing") {
            let stem = String(w.dropLast(3))
            for b in [stem, stem + "e", undouble(stem), stem.hasSuffix("y") ? String(stem.dropLast()) + "ie" : nil].compactMap({ $0 }) where known(b) {
                return (b, .gerund)
            }
        }
        return nil
    }

    private static func undouble(_ s: String) -> String? {
        let c = Array(s)
        guard c.count >= 3, c[c.count - 1] == c[c.count - 2], !"aeiou".contains(c[c.count - 1]) else { return nil }
        return String(c.dropLast())
    }

    /// Every form of a verb: base, third person, past, participle, gerund.
    static func forms(of base: String) -> [String] {
        var out = [base]
        let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
        let chars = Array(base)
        let last = chars.last ?? "x"
        // third person
        if last == "y", chars.count > 1, !vowels.contains(chars[chars.count - 2]) { out.append(String(base.dropLast()) + "ies") }
        else if base.hasSuffix("s") || base.hasSuffix("x") || base.hasSuffix("z") || base.hasSuffix("ch") || base.hasSuffix("sh") || base.hasSuffix("o") {
            out.append(base + "es")
        } else { out.append(base + "s") }
        // doubling of a final consonant after a single short vowel (stop → stopped)
        let doubles = chars.count >= 3 && chars.count <= 5 && !vowels.contains(last) && last != "w" && last != "x" && last != "y"
            && vowels.contains(chars[chars.count - 2]) && !vowels.contains(chars[chars.count - 3])
        if let (past, part) = irregular[base] {
            out.append(past)
            out.append(part)
        } else if last == "e" {
            out.append(base + "d")
        } else if last == "y", chars.count > 1, !vowels.contains(chars[chars.count - 2]) {
            out.append(String(base.dropLast()) + "ied")
        } else if doubles {
            out.append(base + String(last) + "ed")
        } else {
            out.append(base + "ed")
        }
        if base.hasSuffix("ie") { out.append(String(base.dropLast(2)) + "ying") }
        else if last == "e" && !base.hasSuffix("ee") && base != "be" { out.append(String(base.dropLast()) + "ing") }
        else if doubles { out.append(base + String(last) + "ing") }
        else { out.append(base + "ing") }
        if let extra = extraForms.first(where: { $0.value == base })?.key { out.append(extra) }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    /// Adjective by suffix (for words not in any list).
    static func looksAdjective(_ w: String) -> Bool {
        if w.count < 5 { return false }
        for s in ["ous", "ful", "less", "able", "ible", "ive", "ic", "ical", "ary", "ish", "ant", "ent", "al"] where w.hasSuffix(s) {
            if adjectiveSuffixExceptions.contains(w) { return false }
            return true
        }
        return false
    }
    static let adjectiveSuffixExceptions = words("""
        agent agents student patient content component gradient element moment comment statement treatment \
        assessment argument document segment experiment fragment judgment judgement environment development \
        deployment alignment requirement measurement improvement replacement management government investment \
        department equipment payment settlement amount point percent event intent extent client parent talent \
        accident incident implement instrument supplement sentiment entrant tenant variant assistant participant \
        constant applicant descendant defendant servant consultant merchant giant plant restaurant ant elephant \
        signal signals terminal proposal approval interval removal survival rival arrival trial trials journal \
        animal capital hospital material potential principal manual ritual total individual criminal original \
        local official professional interval referral rehearsal retrieval disposal denial dial tutorial \
        logic topic music clinic traffic republic panic public critic classic epic graphic metric metrics \
        objective objectives alternative alternatives representative executive incentive incentives initiative \
        directive motive motives detective perspective narrative archive archives explosive relative relatives \
        adjective native collective prerogative imperative derivative positive negative positives negatives \
        table variable variables cable vegetable timetable library salary dictionary summary summaries boundary \
        secretary vocabulary anniversary itinerary sanctuary glossary diary commentary adversary adversaries \
        documentary dignitary military primary secondary emissary rotary
        """)

    /// Nouns too general to be a concept of their own ("result", "way", "model"): a candidate term
    /// made of them only is not proposed.
    static let genericNouns = words("""
        thing things way ways time times result results case cases example examples part parts kind kinds type types \
        sort number lot lots set sets level levels step steps round rounds task tasks goal goals idea ideas issue \
        issues point points fact facts question questions answer answers problem problems reason reasons sense \
        term terms word words name names text texts reading readings lesson lessons week weeks day days year years \
        minute minutes hour hours second seconds moment people person persons researcher researchers author authors \
        team teams group groups lab labs paper papers study studies work works method methods approach approaches \
        technique techniques tool tools measure measures score scores class classes label labels sample samples run \
        runs experiment experiments setting settings condition conditions version versions size sizes process \
        processes stage stages phase phases model models system systems input inputs output outputs data test tests \
        note notes summary summaries overview introduction conclusion discussion background setup caveat caveats \
        limit limits takeaway takeaways practice practices slide slides section sections chapter chapters figure \
        figures table tables appendix reference references exercise exercises question questions claim claims \
        finding findings effect effects factor factors behaviour behavior behaviours behaviors training evaluation \
        safety risk risks case world field area areas line lines end start beginning side sides form forms \
        difference differences change changes use uses user users list lists item items place places order kind \
        piece pieces bit bits amount amounts couple handful matter matters thought thoughts view views look aspect \
        aspects feature features property properties detail details information knowledge evidence role roles \
        situation situations context contexts example instance instances means purpose purposes option options \
        choice choices value values unit units rest whole half top bottom front back inside outside middle edge \
        range gap gaps trend trends pattern patterns prompt prompts response responses answer reply replies \
        output token tokens layer layers word sentence sentences paragraph paragraphs page pages article articles \
        post posts blog blogs site sites home search menu link links comment comments student students class \
        course courses unit today tomorrow yesterday lab module modules notes replication distinction lesson \
        consequence consequences stake stakes gain loss cost costs benefit benefits weakness strength remedy \
        harm help hope worry concern concerns answer failure failures attack attacks defence defences defense \
        defenses method intervention interventions measure success law nature number numbers family families
        """)

    /// Common words that start or end no term ("first few tokens", "next step").
    static let weakModifiers = words("""
        first second third last next new old same other such many several few more most less least own each every \
        any some all both main key important different various certain particular specific general real true whole \
        full high low large small big little great good bad better best worse worst simple clear typical usual \
        ordinary normal standard common rare recent current previous following above below further additional \
        extra possible likely major minor single double entire overall total much very only just even also still \
        today's whole-model early late higher lower larger smaller
        """)
}
