import ArgumentParser
import Foundation
import KGCore
import KGFormat

/// `kg init DIR`: a new knowledge base of one's own.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new knowledge base: kg.conf, a schema, a readings folder and a README.",
        discussion: """
            DIR must not exist yet or be empty. It gets kg.conf (readings = readings), schema.kg, an \
            empty readings folder, a README.md saying how to use it and a .gitignore for kg's working files. --schema minimal writes a small \
            general schema (concepts, works, people, claims and findings, and common relation types with \
            cue phrases for kg link); --schema course writes the course schema bundled with kg (the \
            Graph/schema.kg kg was built with).

            Every command then works on the new knowledge base with --graph DIR, or when run inside DIR \
            or any folder below it (kg looks for ./Graph, else for the nearest kg.conf upwards). Link a \
            first reading with: kg link FILE --apply.

            \(KGExit.help)
            """)

    @Argument(help: ArgumentHelp("The folder to create.", valueName: "dir"))
    var directory: String

    @Option(name: .long, help: "The schema to start from: minimal or course.")
    var schema: SchemaChoice = .minimal

    enum SchemaChoice: String, ExpressibleByArgument, CaseIterable { case minimal, course }

    func run() throws {
        let fm = FileManager.default
        var st = stat()
        if lstat(directory, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                eprint("\(directory): error: exists and is not a folder; kg init creates a new knowledge base in a new or empty folder")
                throw ExitCode(1)
            }
            let entries = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
            if !entries.isEmpty {
                let shown = entries.sorted().prefix(3).joined(separator: ", ")
                eprint("\(directory): error: the folder is not empty (\(shown)\(entries.count > 3 ? ", …" : "")); kg init creates a new knowledge base in a new or empty folder")
                throw ExitCode(1)
            }
        }
        let schemaText = schema == .course ? CourseSchema.text : Self.minimalSchema
        let name = (Self.absolute(directory) as NSString).lastPathComponent
        let files: [(path: String, bytes: [UInt8])] = [
            (directory + "/kg.conf", Array(Self.conf.utf8)),
            (directory + "/schema.kg", Array(schemaText.utf8)),
            (directory + "/readings/.keep", []),
            (directory + "/README.md", Array(Self.readme(name: name, schema: schema).utf8)),
            (directory + "/.gitignore", Array(Self.gitignore.utf8)),
        ]
        // The new knowledge base must load before anything is written.
        let check = GraphLoader.load(files: [(directory + "/schema.kg", schemaText)])
        if check.hasErrors {
            eprint("error: the \(schema.rawValue) schema does not load; nothing was written:")
            printDiagnostics(check.diagnostics, warnings: false)
            throw ExitCode(1)
        }
        do {
            try AtomicWrite.writeAll(files)
        } catch {
            eprint("\(directory): error: cannot create the knowledge base: \(error)")
            throw ExitCode(1)
        }
        let s = check.graph.schema
        print("Created knowledge base \(directory): kg.conf, schema.kg (\(schema.rawValue): \(s.kinds.count) kinds, \(s.relations.count) relation types), readings/, README.md, .gitignore")
        print("Next: kg link FILE --apply --graph \(directory)   (or run kg inside \(directory))")
    }

    /// kg's working files in a graph folder, kept out of version control (the binary cache folder
    /// carries its own .gitignore).
    static let gitignore = """
        # Working files of kg, never part of the knowledge base: the writer lock, the journal of a
        # save in progress and its temporary files.
        .kg.lock
        .kg.journal
        .kg.journal.new
        .*.kgtmp-*

        """

    static func absolute(_ p: String) -> String {
        let url = p.hasPrefix("/") ? URL(fileURLWithPath: p) : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(p)
        return url.standardizedFileURL.path
    }

    static let conf = """
        # Configuration of this knowledge base: key = value; paths are relative to this folder.
        # The reading texts kg link stores and kg check and kg show read.
        readings = readings

        """

    static let minimalSchema = """
        # Schema of this knowledge base: the kinds of concept and the relation types between them.
        # Add kinds and relation types as the readings need them; `cue` phrases help kg link
        # recognise a relation in a sentence (see docs/LINKING.md).

        kind Reading "A text the knowledge base cites as evidence"
        kind Concept "Anything a reading discusses"
        kind Work : Concept "A study, paper, book or other piece of work"
        kind Person : Concept "A person, or authors cited together"
        kind Method : Concept "A way of doing something: a technique, a procedure, a tool"
        kind Claim : Concept "A proposition a reading states"
        kind Finding : Claim "A result a study establishes"
        kind Question : Concept "An open question"

        relation MENTIONS  Reading -> Concept  inverse MENTIONED_IN
          doc "The reading names the concept (kept up to date by kg link)"
        relation RELATED_TO  Concept -> Concept  symmetric
          doc "The two are related in a way no other type says"
        relation IS_A  Concept -> Concept  inverse HAS_SUBTYPE  transitive
          doc "The source is a kind of the target"
          cue "a kind of", "a type of", "a form of", "an instance of"
        relation PART_OF  Concept -> Concept  inverse HAS_PART  transitive
          doc "The source is a component of the target"
          cue "part of", "component of", "consists of"
        relation EXAMPLE_OF  Concept -> Concept  inverse HAS_EXAMPLE
          doc "The source is an instance or illustration of the target"
          cue "such as", "for example", "is an example"
        relation CAUSES  Concept -> Concept  inverse CAUSED_BY
          doc "The source brings the target about"
          cue "causes", "leads to", "results in", "produces", "creates"
        relation MITIGATES  Concept -> Concept  inverse MITIGATED_BY
          doc "The source reduces the target or its harm"
          cue "mitigates", "prevents", "reduces", "protects against", "guards against"
        relation STRENGTHENS  Concept -> Concept  inverse STRENGTHENED_BY
          doc "The source makes the target stronger"
          cue "strengthens", "reinforces", "amplifies", "increases"
        relation REQUIRES  Concept -> Concept  inverse REQUIRED_BY
          doc "The source cannot be had without the target"
          cue "requires", "needs", "depends on", "relies on"
        relation USES  Concept -> Concept  inverse USED_BY
          doc "The source relies on the target as a tool or input"
          cue "uses", "applies", "employs"
        relation SUPPORTS  Concept -> Concept  inverse SUPPORTED_BY
          doc "The source is evidence for the target"
          cue "supports", "confirms"
        relation CONTRADICTS  Concept -> Concept  inverse CONTRADICTED_BY
          doc "The source is evidence against the target"
          cue "contradicts", "undermines", "refutes"
        relation CONTRASTS_WITH  Concept -> Concept  symmetric
          doc "The two are set against each other"
          cue "rather than", "instead of", "unlike", "whereas", "versus"
        relation STUDIES  Work -> Concept  inverse STUDIED_BY
          doc "The work examines the target"
          cue "studies", "examines", "investigates", "tests"
        relation SHOWS  Work -> Finding  inverse SHOWN_BY  finding
          doc "The work establishes the finding"
          cue "shows", "demonstrates", "finds"
        relation AUTHORED_BY  Work -> Person  inverse AUTHORED
          doc "The work is credited to the person"
          cue "written by", "authored by"

        """

    static func readme(name: String, schema: SchemaChoice) -> String {
        """
        # \(name)

        A knowledge base made with `kg init` (\(schema == .course ? "the course schema" : "a minimal schema")): concepts from
        readings are nodes, typed relations between them carry where a reading says so.

        - `schema.kg`: the kinds of concept and the relation types (with the cue phrases `kg link`
          uses to recognise relations). Edit it as your readings need.
        - `readings/`: the texts of the readings, kept by `kg link` under their hash, and the `.kg`
          file it writes for each reading.
        - `kg.conf`: `readings = readings`.

        Start (inside this folder, or anywhere with `--graph \(name)`):

            kg link ARTICLE.html --apply        # or .md, .txt, .pdf; asks about each proposal on a terminal
            kg check --strict                   # evidence and locators match the readings
            kg show "some concept"
            kg query "MATCH (c:Concept) RETURN c.name"

        Write concepts and relations by hand in any `.kg` file in this folder; see the kg
        documentation (docs/FORMAT.md, docs/LINKING.md).

        """
    }
}
