#!/usr/bin/env bash
# Builds kg's libFuzzer targets (with address sanitizer) and runs them. See docs/RELIABILITY.md.
#
#   Fuzz/run.sh TARGET SECONDS [libFuzzer flags…]
#
# TARGET: kg (the .kg parser, printer and loader), cypher (parser, compiler, executor), graphml
# (the GraphML reader), readings (reading input, normaliser, matcher, linker), or all (each in
# turn, SECONDS each). Environment: FUZZ_NO_ASAN=1 builds without address sanitizer (faster, finds
# less); FUZZ_NO_BUILD=1 reuses the last build; FUZZ_JOBS=N runs N processes per target.
#
# The working corpus grows in .build-fuzz/corpus/TARGET (kept between runs); the seeds are
# Fuzz/Corpus/TARGET, Fuzz/Regressions/TARGET (every crash found, kept as a regression input) and
# inputs taken from the repository (Graph/, Exports/) and from ../shared (the openCypher TCK's
# queries, the readings) when present. A crash, a timeout (-timeout, default 10 s per input) or
# running out of memory (-rss_limit_mb, default 2048) writes the input to
# .build-fuzz/artifacts/TARGET/ and makes the script exit 1. One summary line per target goes to
# standard output and to .build-fuzz/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

usage() { echo "usage: Fuzz/run.sh kg|cypher|graphml|readings|all SECONDS [libFuzzer flags…]" >&2; exit 64; }
[ $# -ge 2 ] || usage
target=$1
seconds=$2
shift 2
[[ "$seconds" =~ ^[0-9]+$ ]] || usage

product() {
    case $1 in
        kg) echo FuzzKGFormat ;;
        cypher) echo FuzzCypher ;;
        graphml) echo FuzzGraphML ;;
        readings) echo FuzzReadings ;;
        *) return 1 ;;
    esac
}

if [ "$target" = all ]; then
    targets=(kg cypher graphml readings)
else
    product "$target" >/dev/null || usage
    targets=("$target")
fi

scratch=.build-fuzz
# `--sanitize fuzzer --sanitize address` would pass swiftc `-sanitize=fuzzer -sanitize=address`, and
# swiftc keeps only the last one (no coverage counters: libFuzzer then runs blind). The combined
# flag instruments for both; `--sanitize fuzzer` still makes SwiftPM link the executables for
# libFuzzer. The run below checks the "inline 8-bit counters" line either way.
sanitizers=(--sanitize fuzzer -Xswiftc -sanitize=fuzzer,address)
if [ "${FUZZ_NO_ASAN:-0}" = 1 ]; then sanitizers=(--sanitize fuzzer); fi
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    echo "fuzz: building ${targets[*]} (release, ${sanitizers[*]})" >&2
    for t in "${targets[@]}"; do
        swift build -c release --package-path Fuzz --scratch-path "$scratch" "${sanitizers[@]}" --product "$(product "$t")" >&2
    done
fi

# Seeds taken from the repository and ../shared, rebuilt each run (never committed).
shared=${KG_SHARED:-../shared}
seeds() {
    local t=$1 dir=$scratch/seeds/$1
    rm -rf "$dir"
    mkdir -p "$dir"
    case $t in
        kg)
            find Graph -name '*.kg' -exec cp {} "$dir/" \; 2>/dev/null || true
            ;;
        cypher)
            if [ -d "$shared/tck/features" ]; then
                python3 - "$shared/tck/features" "$dir" <<'EOF'
import pathlib, sys
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
n = 0
for f in sorted(src.rglob("*.feature")):
    lines = f.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() in ("When executing query:", "And having executed:", "Given having executed:") and i + 1 < len(lines) and lines[i + 1].strip() == '"""':
            j = i + 2
            block = []
            while j < len(lines) and lines[j].strip() != '"""':
                block.append(lines[j].strip())
                j += 1
            q = "\n".join(block)
            if q and len(q) <= 4096:
                (out / f"tck{n:05d}.cypher").write_text(q, encoding="utf-8")
                n += 1
            i = j
        i += 1
EOF
            fi
            ;;
        graphml)
            find Exports -name '*.graphml' -size -512k -exec cp {} "$dir/" \; 2>/dev/null || true
            ;;
        readings)
            # Mode byte 0 (plain text) or 2 (Markdown) before each reading; the first 16 KiB.
            for f in "$shared"/readings/*.txt docs/*.md; do
                [ -f "$f" ] || continue
                { printf '\000'; head -c 16384 "$f"; } > "$dir/$(basename "$f").bin"
            done
            ;;
    esac
    echo "$dir"
}

status=0
mkdir -p "$scratch"
for t in "${targets[@]}"; do
    p=$(product "$t")
    bin=$scratch/release/$p
    [ -x "$bin" ] || { echo "fuzz: $bin is missing (build failed?)" >&2; exit 1; }
    work=$scratch/corpus/$t
    artifacts=$scratch/artifacts/$t
    mkdir -p "$work" "$artifacts" "Fuzz/Regressions/$t"
    extra=$(seeds "$t")
    log=$scratch/logs/$t-$(date +%Y%m%d-%H%M%S).log
    mkdir -p "$(dirname "$log")"
    maxlen=4096
    args=("$work" "Fuzz/Corpus/$t" "Fuzz/Regressions/$t" "$extra"
          -max_total_time="$seconds" -max_len="$maxlen" -timeout=10 -rss_limit_mb=2048
          -dict="Fuzz/Dict/$t.dict" -artifact_prefix="$artifacts/" -print_final_stats=1)
    if [ -n "${FUZZ_JOBS:-}" ]; then args+=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS"); fi
    before=$(find "$artifacts" -type f | wc -l)
    echo "fuzz: $t for $seconds s (log $log)" >&2
    started=$(date +%s)
    set +e
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$bin" "${args[@]}" "$@" > "$log" 2>&1
    rc=$?
    set -e
    elapsed=$(( $(date +%s) - started ))
    if ! grep -q 'inline 8-bit counters' "$log"; then
        echo "fuzz: $t: the binary is not instrumented (no 'inline 8-bit counters' line in $log)" >&2
        status=1
        continue
    fi
    counters=$(grep -o 'Loaded 1 modules *([0-9]* inline 8-bit counters)' "$log" | grep -o '[0-9]* inline' | grep -o '[0-9]*' | head -1)
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    execs=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || true)
    ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' || true)
    corp=$(echo "$last" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*' || true)
    crashes=$(( $(find "$artifacts" -type f | wc -l) - before ))
    verdict=ok
    if [ $rc -ne 0 ]; then verdict="FAILED (exit $rc; see $log and $artifacts)"; status=1; fi
    line="fuzz $t: ${elapsed}s of ${seconds}s, runs ${runs:-?}, exec/s ${execs:-?}, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, counters ${counters:-?}, artifacts ${crashes}, asan $([ "${FUZZ_NO_ASAN:-0}" = 1 ] && echo no || echo yes): $verdict"
    echo "$line"
    echo "$(date -u +%FT%TZ) $line" >> "$scratch/summary.txt"
done
exit $status
