#!/usr/bin/env bash
# Instruction-count profiles of kg's work items with valgrind --tool=callgrind (repeatable on this
# noisy machine, unlike wall clock), on release builds. Run compare.py --prepare-only first.
#
# Usage: Benchmarks/profile.sh ITEM...     ITEM: load cache q1..q6 (q4m, q4h) graphml-write graphml-read aho layout300
# Output: Benchmarks/data/profiles/ITEM.callgrind (raw) and ITEM.txt (callgrind_annotate, inclusive, top 40).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
DATA="${KG_BENCH_DATA:-$HERE/data}"
KGB="${KG_BENCH_BIN:-$HERE/.build/release/kg-bench}"
KG="${KG_BIN:-$REPO/.build-bench/release/kg}"
OUT="$DATA/profiles"
mkdir -p "$OUT"
[ -x "$KGB" ] || { echo "no kg-bench at $KGB: swift build -c release --package-path Benchmarks --product kg-bench" >&2; exit 1; }
[ -d "$DATA/medium.kg" ] || { echo "no $DATA/medium.kg: python3 Benchmarks/compare.py --prepare-only" >&2; exit 1; }

query() {  # name -> query text and params from kg-queries.json
  python3 - "$DATA/kg-queries.json" "$1" <<'EOF'
import json, sys
for q in json.load(open(sys.argv[1])):
    if q["name"] == sys.argv[2]:
        print(q["query"]); print(json.dumps(q["params"])); break
else:
    sys.exit(f"no query {sys.argv[2]}")
EOF
}

for item in "$@"; do
  case "$item" in
    load) cmd=("$KGB" load --graph "$DATA/medium.kg") ;;
    cache) "$KGB" load --graph "$DATA/medium.kg" --cache >/dev/null; cmd=("$KGB" load --graph "$DATA/medium.kg" --cache) ;;
    q1|q2|q3|q4m|q4h|q5|q6)
      case "$item" in
        q1) n=q1_lookup ;; q2) n=q2_1hop_typed ;; q3) n=q3_2hop ;; q4m) n=q4_varlen_median ;;
        q4h) n=q4_varlen_hub ;; q5) n=q5_agg ;; q6) n=q6_shortest ;;
      esac
      mapfile -t qp < <(query "$n")
      "$KGB" load --graph "$DATA/medium.kg" --cache >/dev/null
      cmd=("$KGB" query --graph "$DATA/medium.kg" --cache --query "${qp[0]}" --params "${qp[1]}") ;;
    graphml-write) "$KGB" load --graph "$DATA/medium.kg" --cache >/dev/null
      cmd=("$KGB" graphml-write --graph "$DATA/medium.kg" --cache --out "$DATA/medium.profile.graphml") ;;
    graphml-read) [ -f "$DATA/medium.kg.graphml" ] || "$KGB" graphml-write --graph "$DATA/medium.kg" --out "$DATA/medium.kg.graphml" >/dev/null
      cmd=("$KGB" graphml-read --file "$DATA/medium.kg.graphml") ;;
    aho) cmd=("$KGB" match --aliases "$DATA/aho/aliases.txt" --text "$DATA/aho/text.txt" --repeats 1) ;;
    layout300) cmd=("$KG" export svg --graph "$DATA/layout300.kg" --no-legend -o "$DATA/layout300.profile.svg") ;;
    *) echo "unknown item $item" >&2; exit 2 ;;
  esac
  echo "== $item: ${cmd[*]}" >&2
  valgrind --tool=callgrind --callgrind-out-file="$OUT/$item.callgrind" "${cmd[@]}" > "$OUT/$item.stdout" 2> "$OUT/$item.valgrind"
  callgrind_annotate --inclusive=yes "$OUT/$item.callgrind" 2>/dev/null | head -60 > "$OUT/$item.txt"
  grep -m1 "PROGRAM TOTALS" "$OUT/$item.txt" >&2 || true
done
