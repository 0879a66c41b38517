#!/usr/bin/env bash
# Times `kg link` (a release build) on the large inputs of issues 11 and 15, against the bundled
# graph: texts of 2.5, 5 and 10 MB on a single line (linear in size whatever the line length?),
# one sentence of 10,000 words, and 100,000 sentences; prints seconds and peak memory per run.
#
#   swift build -c release --product kg
#   Benchmarks/link-inputs.sh [.build/release/kg] [runs]
#
# Run it on a quiet machine (nothing else building). Nothing is written to the graph (dry runs).
set -euo pipefail
cd "$(dirname "$0")/.."
kg="${1:-.build/release/kg}"
runs="${2:-3}"
[ -x "$kg" ] || { echo "no kg binary at $kg (swift build -c release --product kg)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import random, sys
d = sys.argv[1]
random.seed(7)
words = ("the backdoor persisted through safety training and adversarial training strengthened the hidden "
         "behavior while red-teaming found nothing but probes and model scale mattered for interpretability").split()
line = " ".join(random.choice(words) for _ in range(1_400_000))  # about 10 MB, one line
for mb, frac in (("2.5", 0.25), ("5", 0.5), ("10", 1.0)):
    open(f"{d}/line-{mb}mb.txt", "w").write(line[: int(len(line) * frac)] + "\n")
open(f"{d}/sentence-10000-words.txt", "w").write(" ".join(random.choice(words) for _ in range(10_000)) + ".\n")
subj = ["The backdoor", "Adversarial training", "Model scale", "Red-teaming", "Interpretability", "Safety training"]
verb = ["strengthened", "persisted through", "detects", "mitigates", "survived", "hid"]
obj = ["the backdoor", "safety training", "RLHF", "concealment", "hidden failure", "the trigger"]
with open(f"{d}/sentences-100000.txt", "w") as f:
    for i in range(100_000):
        f.write(f"{random.choice(subj)} sometimes {random.choice(verb)} {random.choice(obj)} in run {i}. ")
        if i % 5 == 4:
            f.write("\n\n")
PY
printf "%-28s %10s %8s %12s\n" input bytes seconds "peak RSS KB"
for f in line-2.5mb.txt line-5mb.txt line-10mb.txt sentence-10000-words.txt sentences-100000.txt; do
    for r in $(seq "$runs"); do
        out=$( { /usr/bin/time -f "%e %M" "$kg" link "$dir/$f" --graph Graph --timeout 0 > /dev/null; } 2>&1 | tail -1 )
        printf "%-28s %10d %8s %12s\n" "$f" "$(stat -c %s "$dir/$f")" ${out}
    done
done
