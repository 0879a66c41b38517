#!/usr/bin/env python3
"""Side-by-side comparison of kg with the tools a user would pick instead (issue 7).

Run by hand (not in CI), from anywhere:

  python3 Benchmarks/compare.py [--repeats 3] [--items load,queries,graphml,layout,aho]
                                [--data Benchmarks/data] [--shared ../shared]

What it does, in one session:

1. Generates the data once (kept in --data, git-ignored; reused when present):
   - the peers' graphs with ../shared/bench/gen_graph.py (--preset all: medium = 100k nodes /
     1M edges, seed 2; layout30/100/300, identical to ../shared/bench/graphs/);
   - the SAME graphs converted to .kg folders (DATA/medium.kg/, DATA/layoutN.kg/) so that kg and
     every peer load one graph and must give the same answers (the query results are compared);
   - the per-table CSV files and query parameters Kuzu needs (functions of ../shared/bench/bench_kuzu.py);
   - the 10,018-alias / 10 MB corpus of ../shared/bench/bench_aho.py --write-corpus;
   - the plain-C xmlTextWriter ceiling binary from ../shared/bench/xmlwriter_ceiling.c (built into
     DATA/build; the shared folder is read-only, so bench_xmlwriter.sh cannot build in place).
   `kg generate` is timed too when it exists, and its graph is loaded as an extra row.
2. Runs every work item alternating kg and its peers, N rounds (kg, peer, kg, peer, ...), and takes
   medians:
   load     kg: cold `kg stats --graph DATA/medium.kg` (a whole process: load + count), wall time
            and peak RSS through /usr/bin/time -v, from the text (KG_NO_CACHE=1) and from the binary
            cache (after one warm-up run stores it); cold `kg query` (count of nodes) from the text;
            `kg-bench load`/`query` (library path) with and without the cache.
            Kuzu: fresh database, DDL + every COPY (bench_kuzu.py --child load; schema single and typed)
   queries  the workload of issue 3, warm, in one process each: kg through `kg-bench queries`
            (the KGQuery library API on the loaded graph), Kuzu through bench_kuzu.py --child queries.
   graphml  write and read of the medium graph: kg through `kg-bench graphml-write/-read` (only the
            call timed, like the peers), networkx and igraph through bench_graphml.py --child,
            the C xmlTextWriter ceiling.
   layout   30/100/300-node graphs: `kg export svg` vs `dot -Tsvg` (with edge labels), wall time;
            crossings, node overlaps and edges through nodes of both SVGs by crossings.py (Bezier).
   aho      alias matching over 10 MB: `kg-bench match` (the KGReadings matcher) vs pyahocorasick
            (A.iter + word-boundary filter + leftmost-longest selection, the semantics kg link has).
3. Prints one table (work item, each tool's median, kg's ratio to the best peer, the goal) and
   writes everything, every run included, to DATA/results/compare.json (or --out).

Binaries: kg from KG_BIN or <repo>/.build-bench/release/kg (build with
`swift build -c release --scratch-path .build-bench --product kg`), kg-bench from KG_BENCH_BIN or
Benchmarks/.build/release/kg-bench (`swift build -c release --package-path Benchmarks --product kg-bench`).
A missing binary or subcommand is reported in the table as "n/a (...)", never silently skipped.
"""
import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

QUERIES = [
    # name, kg (openCypher) text, parameter mapping (query param -> key of bench_kuzu.pick_params)
    ("q1_lookup", "MATCH (n {name: $x}) RETURN n.name", {"x": "x_median"}),
    ("q2_1hop_typed", "MATCH (a:Study)-[:MOTIVATES]->(b) RETURN count(*)", {}),
    ("q3_2hop", "MATCH (a)-[:MOTIVATES]->(b)-[:IS_A]->(c) RETURN count(*)", {}),
    ("q4_varlen_median", "MATCH (a {name: $x})-[*1..3]->(b) RETURN count(DISTINCT b)", {"x": "x_median"}),
    ("q4_varlen_hub", "MATCH (a {name: $x})-[*1..3]->(b) RETURN count(DISTINCT b)", {"x": "x_hub"}),
    ("q5_agg", "MATCH (a)-[r]->(b) RETURN type(r) AS t, count(*) AS c ORDER BY c DESC", {}),
    ("q6_shortest", "MATCH p = shortestPath((a {name: $x})-[*..10]-(b {name: $y})) RETURN length(p)",
     {"x": "x_first", "y": "y_last"}),
]

# Goals from issues 2-7 (medians here).
GOALS = {
    "load": "<= 1.5 s and <= 150 MB (text)",
    "load_cache": "<= 0.3 s (cache)",
    "query": "<= 0.5x Kuzu",
    "graphml_write": ">= 90% of the C ceiling's MB/s",
    "graphml_read": ">= igraph's MB/s in <= 300 MB",
    "layout": "crossings <= 0.8x dot, time <= dot",
    "aho": ">= 10x pyahocorasick MB/s",
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ processes

class Unavailable(Exception):
    """A tool or subcommand is missing: the row says so instead of a number."""


def run_timed(argv, cwd=None, env=None, timeout=3600, stdout_path=None):
    """Run argv under /usr/bin/time -v; return dict(seconds, rss_mb, stdout, stderr, rc)."""
    fd, tf = tempfile.mkstemp(prefix="kgbench-time-")
    os.close(fd)
    out_f = open(stdout_path, "w") if stdout_path else subprocess.PIPE
    t0 = time.perf_counter()
    try:
        p = subprocess.run(["/usr/bin/time", "-v", "-o", tf] + argv, cwd=cwd, env=env, timeout=timeout,
                           stdout=out_f, stderr=subprocess.PIPE, text=True)
    finally:
        if stdout_path:
            out_f.close()
    dt = time.perf_counter() - t0
    rss = None
    cpu = None
    with open(tf) as f:
        for line in f:
            if "Maximum resident set size" in line:
                rss = int(line.rsplit(":", 1)[1]) / 1024.0
            elif "User time (seconds)" in line or "System time (seconds)" in line:
                cpu = (cpu or 0.0) + float(line.rsplit(":", 1)[1])
    os.remove(tf)
    return {"seconds": dt, "rss_mb": rss, "cpu_seconds": cpu, "stdout": p.stdout if not stdout_path else "",
            "stderr": p.stderr, "rc": p.returncode}


def run_json(argv, timeout=3600, env=None):
    """Run a child that prints one JSON object (kg-bench) or an @@RESULT line (shared scripts)."""
    r = run_timed(argv, timeout=timeout, env=env)
    if r["rc"] != 0:
        raise RuntimeError(f"failed ({r['rc']}): {' '.join(argv)}\n{r['stderr'][-3000:]}")
    res = None
    for line in r["stdout"].splitlines():
        line = line.strip()
        if line.startswith("@@RESULT "):
            res = json.loads(line[len("@@RESULT "):])
        elif line.startswith("{"):
            try:
                res = json.loads(line)
            except ValueError:
                pass
    if res is None:
        raise RuntimeError(f"no JSON result from {' '.join(argv)}\n{r['stdout'][-1000:]}\n{r['stderr'][-2000:]}")
    res["_process_seconds"] = r["seconds"]
    res["_process_cpu_seconds"] = r["cpu_seconds"]
    res["_process_rss_mb"] = r["rss_mb"]
    return res


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


# ------------------------------------------------------------------ tools

class Tools:
    def __init__(self, a):
        self.shared = os.path.abspath(a.shared)
        self.bench = os.path.join(self.shared, "bench")
        if not os.path.isdir(self.bench):
            raise SystemExit(f"{self.bench} not found: pass --shared DIR (the folder holding bench/)")
        sys.path.insert(0, self.bench)
        self.data = os.path.abspath(a.data)
        self.kg = os.environ.get("KG_BIN") or os.path.join(REPO, ".build-bench", "release", "kg")
        self.kgb = os.environ.get("KG_BENCH_BIN") or os.path.join(HERE, ".build", "release", "kg-bench")
        self.py = sys.executable

    def need_kg(self):
        if not os.access(self.kg, os.X_OK):
            raise Unavailable(f"no kg binary at {self.kg}")
        return self.kg

    def need_kgb(self):
        if not os.access(self.kgb, os.X_OK):
            raise Unavailable(f"no kg-bench binary at {self.kgb}")
        return self.kgb

    def kg_has(self, *sub):
        """True when `kg SUB --help` works (the subcommand exists and is not a placeholder)."""
        kg = self.need_kg()
        p = subprocess.run([kg] + list(sub) + ["--help"], capture_output=True, text=True)
        return p.returncode == 0


# ------------------------------------------------------------------ data

def kg_string(s):
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20:
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def name_key(s):
    """kg's lookup key for names and aliases (NameKey, ASCII case): case-folded, hyphens,
    underscores and white space read as one space, trimmed."""
    out = []
    for ch in s.lower():
        out.append(" " if ch in "-_ \t\n\r" else ch)
    return " ".join("".join(out).split())


KINDS = ["Concept", "Study", "Technique", "FailureMode", "Principle", "Reading"]
RELS = ["MENTIONS", "CITES", "IS_A", "PART_OF", "EVIDENCE_FOR", "MOTIVATES", "PRECEDES",
        "CONTRASTS_WITH", "STRENGTHENS", "LIMITS", "COUSIN_OF", "PERSISTS_THROUGH"]


def csv_to_kg(datadir, name, outdir, edge_files=1):
    """Write gen_graph.py's NAME.nodes.csv / NAME.edges.csv as a .kg graph folder.

    Node i becomes `concept n<i> "<name>" : <Kind>` (aliases as `aka`, year as a property);
    edge k becomes `n<s> -TYPE-> n<d>` with properties `source` and `weight`. The schema declares
    the six kinds (flat, no parents: the peers have no sub-kinds either) and the twelve relation
    types over `* -> *`. Written to a temporary folder and renamed, so a half-written folder is
    never mistaken for data.
    """
    if os.path.isdir(outdir):
        return outdir
    tmp = outdir + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    with open(os.path.join(tmp, "schema.kg"), "w") as f:
        f.write("# Generated by Benchmarks/compare.py from ../shared/bench/gen_graph.py output.\n")
        for k in KINDS:
            f.write(f"kind {k}\n")
        f.write("\n")
        for r in RELS:
            f.write(f"relation {r}  * -> *\n")
    with open(os.path.join(datadir, name + ".nodes.csv"), newline="") as src:
        nodes = list(csv.DictReader(src))
    # kg requires a name or alias to lead to one concept (Kuzu does not look at aliases), so an
    # alias whose lookup key (case-folded, hyphens as spaces) is another concept's name or an
    # alias already claimed is dropped. The queries never touch aliases; counted in dropped.txt.
    names = {name_key(r["name"]): r["id"] for r in nodes}
    claimed = {}
    dropped = 0
    with open(os.path.join(tmp, "concepts.kg"), "w") as f:
        for r in nodes:
            f.write(f"concept n{r['id']} {kg_string(r['name'])} : {r['label']}\n")
            al = r["aliases"].strip()
            keep = []
            if al.startswith("[") and al.endswith("]") and len(al) > 2:
                for x in al[1:-1].split(","):
                    k = name_key(x)
                    if names.get(k, r["id"]) != r["id"] or claimed.get(k, r["id"]) != r["id"] or x in keep:
                        dropped += 1
                        continue
                    claimed[k] = r["id"]
                    keep.append(x)
            if keep:
                f.write("  aka " + ", ".join(kg_string(x) for x in keep) + "\n")
            if r["year"]:
                f.write(f"  year {int(r['year'])}\n")
    with open(os.path.join(tmp, "dropped.txt"), "w") as f:
        f.write(f"{dropped} aliases dropped (claimed by another concept)\n")
    with open(os.path.join(datadir, name + ".edges.csv"), newline="") as src:
        rows = list(csv.DictReader(src))
    per = (len(rows) + edge_files - 1) // edge_files
    for part in range(edge_files):
        chunk = rows[part * per:(part + 1) * per]
        fn = "relations.kg" if edge_files == 1 else f"relations-{part:02d}.kg"
        with open(os.path.join(tmp, fn), "w") as f:
            for r in chunk:
                w = r["weight"]
                if "." not in w and "e" not in w and "E" not in w:
                    w += ".0"
                f.write(f"n{r['src']} -{r['type']}-> n{r['dst']}\n  source {kg_string(r['source'])}\n  weight {w}\n")
    os.rename(tmp, outdir)
    return outdir


def prepare(t, a):
    d = t.data
    os.makedirs(d, exist_ok=True)
    os.makedirs(os.path.join(d, "results"), exist_ok=True)
    info = {}
    if not os.path.exists(os.path.join(d, "medium.edges.csv")):
        log("generating peer data with gen_graph.py --preset all (csv,jsonl,dot)")
        subprocess.run([t.py, os.path.join(t.bench, "gen_graph.py"), d, "--preset", "all",
                        "--formats", "csv,jsonl,dot"], check=True)
        for junk in ("medium.dot", "medium.nolabels.dot"):
            if os.path.exists(os.path.join(d, junk)):
                os.remove(os.path.join(d, junk))
    for n in (30, 100, 300):
        for ext in ("nodes.csv", "edges.csv"):
            mine = os.path.join(d, f"layout{n}.{ext}")
            ref = os.path.join(t.bench, "graphs", f"layout{n}.{ext}")
            if os.path.exists(ref) and open(mine, "rb").read() != open(ref, "rb").read():
                raise SystemExit(f"{mine} differs from {ref}: gen_graph.py changed?")
    log("converting to .kg folders (once)")
    csv_to_kg(d, "medium", os.path.join(d, "medium.kg"), edge_files=10)
    for n in (30, 100, 300):
        csv_to_kg(d, f"layout{n}", os.path.join(d, f"layout{n}.kg"))
    # Kuzu tables and query parameters
    import bench_kuzu
    nodes, edges = bench_kuzu.read_graph(d, "medium")
    params = bench_kuzu.pick_params(nodes, edges)
    wd = os.path.join(d, "kuzu", "medium")
    os.makedirs(wd, exist_ok=True)
    with open(os.path.join(wd, "params.json"), "w") as f:
        json.dump(params, f)
    info["params"] = params
    for schema in a.kuzu_schemas.split(","):
        planfile = os.path.join(wd, f"plan_{schema}.json")
        if not os.path.exists(planfile):
            plan = bench_kuzu.split_csvs(nodes, edges, os.path.join(wd, f"csv_{schema}"), schema)
            with open(planfile, "w") as f:
                json.dump(plan, f)
    del nodes, edges
    # kg query parameters (same names)
    kgparams = {qn: {k: params[v] for k, v in pm.items()} for qn, _, pm in QUERIES}
    with open(os.path.join(d, "kg-queries.json"), "w") as f:
        json.dump([{"name": qn, "query": q, "params": kgparams[qn]} for qn, q, _ in QUERIES], f, indent=1)
    # alias corpus
    corpus = os.path.join(d, "aho")
    if not os.path.exists(os.path.join(corpus, "text.txt")):
        log("writing the alias corpus with bench_aho.py --write-corpus")
        subprocess.run([t.py, os.path.join(t.bench, "bench_aho.py"), "--write-corpus", corpus,
                        "--repeats", "1", "--regex-mb", "0.01", "--regex-repeats", "1",
                        "--out", os.path.join(d, "results", "aho-corpus-run.json")], check=True)
    # C ceiling
    build = os.path.join(d, "build")
    os.makedirs(build, exist_ok=True)
    cbin = os.path.join(build, "xmlwriter_ceiling")
    if not os.path.exists(cbin):
        cflags = subprocess.run(["xml2-config", "--cflags"], capture_output=True, text=True, check=True).stdout.split()
        libs = subprocess.run(["xml2-config", "--libs"], capture_output=True, text=True, check=True).stdout.split()
        subprocess.run(["gcc", "-O2", "-Wall"] + cflags + ["-o", cbin, os.path.join(t.bench, "xmlwriter_ceiling.c")] + libs,
                       check=True)
    return info


# ------------------------------------------------------------------ work items

class Results:
    def __init__(self):
        self.rows = []   # (item, {tool: value}, unit, kg_tool, goal, note)
        self.raw = {}

    def add(self, item, values, unit, goal="", note="", lower_is_better=True):
        self.rows.append(dict(item=item, values=values, unit=unit, goal=goal, note=note,
                              lower_is_better=lower_is_better))


def try_run(fn, *args):
    try:
        return fn(*args), None
    except Unavailable as e:
        return None, f"n/a ({e})"
    except Exception as e:  # recorded in the table and the JSON, never hidden
        return None, f"error: {str(e).strip().splitlines()[0][:160] if str(e).strip() else type(e).__name__}"


def item_load(t, a, R, info_params):
    d = t.data
    g = os.path.join(d, "medium.kg")
    wd = os.path.join(d, "kuzu", "medium")
    kuzu_py = [t.py, os.path.join(t.bench, "bench_kuzu.py"), d]
    runs = {"kg stats": [], "kg stats (cache)": [], "kg query count": [], "kg-bench load": [], "kg-bench load (cache)": []}
    for s in a.kuzu_schemas.split(","):
        runs[f"kuzu {s}"] = []
    errors = {}

    # Every read-only kg command starts from the binary cache when it is valid (issue 12), so the
    # text load is timed with KG_NO_CACHE=1 and the cached start after a warm-up that stores it.
    no_cache = dict(os.environ, KG_NO_CACHE="1")

    def kg_stats(cache=False):
        kg = t.need_kg()
        r = run_timed([kg, "stats", "--graph", g], env=None if cache else no_cache)
        if r["rc"] != 0:
            raise RuntimeError(r["stderr"].strip()[-300:] or f"exit {r['rc']}")
        return r

    def kg_query_count():
        kg = t.need_kg()
        r = run_timed([kg, "query", "--graph", g, "--format", "csv", "MATCH (n) RETURN count(n) AS n"], env=no_cache)
        if r["rc"] != 0:
            raise RuntimeError(r["stderr"].strip()[-300:] or f"exit {r['rc']}")
        return r

    q1 = QUERIES[0]
    q1_params = json.dumps({k: info_params[v] for k, v in q1[2].items()})

    def kgb_load(cache):
        # A cold start through the library path `kg query` takes: load (text, or the binary
        # cache when valid) + the point lookup q1, in a fresh process.
        kgb = t.need_kgb()
        argv = [kgb, "query", "--graph", g, "--query", q1[1], "--params", q1_params] + (["--cache"] if cache else [])
        r = run_json(argv)
        if cache and not r.get("cache_hit"):
            raise RuntimeError("the binary cache was not used (stale or missing after the warm-up store)")
        r["seconds"] = r["_process_seconds"]
        r["rss_mb"] = r["_process_rss_mb"]
        return r

    def kuzu(schema):
        r = run_json(kuzu_py + ["--child", "load", wd, schema, os.path.join(wd, f"plan_{schema}.json")])
        r["rss_mb"] = r["_process_rss_mb"]
        return r

    if a.kg_cache:  # warm the caches once (the first load after a change stores it)
        try_run(kgb_load, True)
        try_run(kg_stats, True)
    for i in range(R):
        log(f"load round {i + 1}/{R}")
        for name, fn in (("kg stats", kg_stats), ("kg stats (cache)", (lambda: kg_stats(True)) if a.kg_cache else None),
                         ("kg query count", kg_query_count),
                         ("kg-bench load", lambda: kgb_load(False)),
                         ("kg-bench load (cache)", (lambda: kgb_load(True)) if a.kg_cache else None)):
            if fn is None or name in errors:
                continue
            r, err = try_run(fn)
            if err:
                errors[name] = err
            else:
                runs[name].append(r)
                log(f"  {name}: {r['seconds']:.3f} s, {r['rss_mb']:.0f} MB")
        for s in a.kuzu_schemas.split(","):
            if f"kuzu {s}" in errors or (s == "typed" and i >= a.kuzu_typed_load_rounds):
                continue
            r, err = try_run(kuzu, s)
            if err:
                errors[f"kuzu {s}"] = err
            else:
                runs[f"kuzu {s}"].append(r)
                log(f"  kuzu {s}: {r['seconds']:.3f} s (DDL+COPY), {r['rss_mb']:.0f} MB")
    return runs, errors


def item_queries(t, a, R):
    d = t.data
    wd = os.path.join(d, "kuzu", "medium")
    kuzu_py = [t.py, os.path.join(t.bench, "bench_kuzu.py"), d]
    runs = {"kg": []}
    errors = {}
    for s in a.kuzu_schemas.split(","):
        runs[f"kuzu {s}"] = []
        if not os.path.isdir(os.path.join(wd, f"db_{s}")):
            # the load item builds the database; build it once here when load was not run
            r, err = try_run(lambda: run_json(kuzu_py + ["--child", "load", wd, s, os.path.join(wd, f"plan_{s}.json")]))
            if err:
                errors[f"kuzu {s}"] = err

    def kg():
        kgb = t.need_kgb()
        return run_json([kgb, "queries", "--graph", os.path.join(d, "medium.kg"),
                         "--queries", os.path.join(d, "kg-queries.json"), "--repeats", str(a.query_repeats)])

    def kuzu(schema):
        return run_json(kuzu_py + ["--child", "queries", wd, schema, os.path.join(wd, "params.json"),
                                   str(a.query_repeats)])

    for i in range(R):
        log(f"queries round {i + 1}/{R}")
        if "kg" not in errors:
            r, err = try_run(kg)
            if err:
                errors["kg"] = err
            else:
                runs["kg"].append(r)
                log("  kg: " + ", ".join(f"{qn} {r[qn]['median'] * 1e3:.2f}" for qn, _, _ in QUERIES
                                         if isinstance(r.get(qn), dict) and "median" in r[qn]))
        for s in a.kuzu_schemas.split(","):
            if f"kuzu {s}" in errors:
                continue
            r, err = try_run(kuzu, s)
            if err:
                errors[f"kuzu {s}"] = err
            else:
                runs[f"kuzu {s}"].append(r)
                log(f"  kuzu {s}: " + ", ".join(f"{qn} {r[qn]['median'] * 1e3:.2f}" for qn, _, _ in QUERIES
                                                if isinstance(r.get(qn), dict) and "median" in r[qn]))
    return runs, errors


def item_graphml(t, a, R):
    d = t.data
    gml_py = [t.py, os.path.join(t.bench, "bench_graphml.py"), d]
    cbin = os.path.join(d, "build", "xmlwriter_ceiling")
    kg_out = os.path.join(d, "medium.kg.graphml")
    runs = {k: [] for k in ("kg write", "kg read", "kg read nx-file", "C ceiling write", "igraph write", "igraph read",
                            "networkx write", "networkx read")}
    errors = {}

    def kg_write():
        return run_json([t.need_kgb(), "graphml-write", "--graph", os.path.join(d, "medium.kg"), "--out", kg_out])

    def kg_read(path, extra=()):
        if not os.path.exists(path):
            raise Unavailable(f"{os.path.basename(path)} not written yet")
        return run_json([t.need_kgb(), "graphml-read", "--file", path] + list(extra))

    def ceiling():
        out = run_json([cbin, os.path.join(d, "medium.nodes.csv"), os.path.join(d, "medium.edges.csv"),
                        os.path.join(d, "medium.c.graphml"), "1"])
        return out

    def peer(op):
        return run_json(gml_py + ["--child", op, "medium"])

    nx_ok = a.networkx
    for i in range(R):
        log(f"graphml round {i + 1}/{R}")
        steps = [("kg write", kg_write), ("C ceiling write", ceiling), ("igraph write", lambda: peer("ig_write")),
                 ("kg read", lambda: kg_read(kg_out)), ("igraph read", lambda: peer("ig_read"))]
        if nx_ok:
            steps += [("networkx write", lambda: peer("nx_write")), ("networkx read", lambda: peer("nx_read"))]
        # networkx's file keeps the kind in `label` and the display name in `name`
        steps.append(("kg read nx-file", lambda: kg_read(os.path.join(d, "medium.nx.graphml"), ["--label-key", "name"])))
        for name, fn in steps:
            if name in errors:
                continue
            r, err = try_run(fn)
            if err:
                if not err.startswith("n/a") or i == R - 1:
                    errors[name] = err
                continue
            runs[name].append(r)
            log(f"  {name}: {json.dumps({k: v for k, v in r.items() if not isinstance(v, (list, dict))})[:200]}")
        nx_ok = nx_ok and i + 1 < a.networkx_rounds
    return runs, errors


def ceiling_seconds(r):
    """The C program reports {'runs': [...], ...}; take its median write time."""
    for k in ("median", "seconds"):
        if k in r and isinstance(r[k], (int, float)):
            return r[k]
    if "runs" in r and r["runs"]:
        return med(r["runs"])
    raise KeyError("no time in C ceiling output")


def item_layout(t, a, R):
    import crossings
    d = t.data
    out = os.path.join(d, "layout-out")
    os.makedirs(out, exist_ok=True)
    runs, errors, quality = {}, {}, {}
    for n in (30, 100, 300):
        g = f"layout{n}"
        runs[f"{g} kg-bench"] = []
        runs[f"{g} kg"] = []
        runs[f"{g} dot"] = []
        kg_svg = os.path.join(out, f"{g}.kg.svg")
        dot_svg = os.path.join(out, f"{g}.dot.svg")
        for i in range(R):
            if f"{g} kg" not in errors:
                def kg():
                    r = run_timed([t.need_kg(), "export", "svg", "--graph", os.path.join(d, f"{g}.kg"), "--no-legend",
                                    "-o", kg_svg])
                    if r["rc"] != 0:
                        raise RuntimeError(r["stderr"].strip()[-300:] or f"exit {r['rc']}")
                    return r
                r, err = try_run(kg)
                if err:
                    errors[f"{g} kg"] = err
                else:
                    runs[f"{g} kg"].append(r)
            if f"{g} kg-bench" not in errors:
                # the same renderer in-process with the Graphviz-like style (10/8 pt, no legend)
                r, err = try_run(lambda: run_json([t.need_kgb(), "layout", "--data", d, "--name", g,
                                                   "--out", os.path.join(out, f"{g}.kgbench.svg")]))
                if err:
                    errors[f"{g} kg-bench"] = err
                else:
                    r["seconds"] = r["_process_seconds"]
                    runs[f"{g} kg-bench"].append(r)
            r = run_timed(["dot", "-Tsvg", os.path.join(d, f"{g}.dot"), "-o", dot_svg])
            runs[f"{g} dot"].append(r)
        for tool, path in (("kg", kg_svg), ("kg-bench", os.path.join(out, f"{g}.kgbench.svg")), ("dot", dot_svg)):
            if f"{g} {tool}" in errors or not os.path.exists(path):
                continue
            try:
                edges, nodes = crossings.read_layout(path, "svg")
                c = crossings.count_crossings(edges, "bezier", 8)
                q = {"crossings": c["crossings"], "crossing_pairs": c["crossing_pairs"], "edges": c["edges"],
                     "nodes_seen": len(nodes),
                     "node_overlaps": crossings.count_node_overlaps(nodes) if nodes else None,
                     "edge_node_hits": crossings.count_edge_node_hits(edges, nodes, "bezier", 8) if nodes else None}
            except Exception as e:
                q = {"error": f"{type(e).__name__}: {e}"}
            quality[f"{g} {tool}"] = q
            log(f"  {g} {tool}: {med([r['seconds'] for r in runs[f'{g} {tool}']])} s, {q}")
    return runs, errors, quality


def aho_child(corpus, repeats):
    """Child process: pyahocorasick, whole words, leftmost-longest (bench_aho.py's words_longest)."""
    import ahocorasick
    with open(os.path.join(corpus, "aliases.txt")) as f:
        aliases = [x for x in f.read().split("\n") if x]
    with open(os.path.join(corpus, "text.txt")) as f:
        text = f.read()
    mb = len(text.encode()) / 1e6
    t0 = time.perf_counter()
    A = ahocorasick.Automaton()
    for i, w in enumerate(x.lower() for x in aliases):
        A.add_word(w, (i, len(w)))
    A.make_automaton()
    build = time.perf_counter() - t0
    times, n = [], 0
    for _ in range(repeats):
        t1 = time.perf_counter()
        low = text.lower()
        L = len(low)
        cand = []
        for end, (i, ln) in A.iter(low):
            s = end - ln + 1
            if (s == 0 or not low[s - 1].isalnum()) and (end + 1 == L or not low[end + 1].isalnum()):
                cand.append((s, -ln))
        cand.sort()
        n, reach = 0, -1
        for s, negln in cand:
            if s > reach:
                n += 1
                reach = s - negln - 1
        times.append(time.perf_counter() - t1)
    print(json.dumps({"build_seconds": build, "runs": times, "seconds": statistics.median(times),
                      "matches": n, "MB": mb}))


def item_aho(t, a, R):
    corpus = os.path.join(t.data, "aho")
    runs = {"kg": [], "pyahocorasick": []}
    errors = {}
    for i in range(R):
        log(f"aho round {i + 1}/{R}")
        if "kg" not in errors:
            r, err = try_run(lambda: run_json([t.need_kgb(), "match", "--aliases", os.path.join(corpus, "aliases.txt"),
                                               "--text", os.path.join(corpus, "text.txt"), "--repeats", "3"]))
            if err:
                errors["kg"] = err
            else:
                runs["kg"].append(r)
                log(f"  kg: {r['seconds']:.3f} s, {r['matches']} matches")
        r, err = try_run(lambda: run_json([t.py, os.path.abspath(__file__), "--aho-child", corpus, "3"]))
        if err:
            errors["pyahocorasick"] = err
        else:
            runs["pyahocorasick"].append(r)
            log(f"  pyahocorasick: {r['seconds']:.3f} s, {r['matches']} matches")
    return runs, errors


# ------------------------------------------------------------------ table

def fmt(v, unit):
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    if unit == "ms":
        return f"{v * 1e3:.2f} ms" if v < 10 else f"{v * 1e3:.0f} ms"
    if unit == "s":
        return f"{v:.3f} s" if v < 10 else f"{v:.1f} s"
    if unit == "MB/s":
        return f"{v:.1f} MB/s"
    if unit == "MB":
        return f"{v:.0f} MB"
    return f"{v:g} {unit}".strip()


def build_rows(res, raw, a):
    rows = []

    def add(item, kg, peers, unit, goal, note="", higher_better=False, kg_err=None, peer_errs=None):
        vals = {k: v for k, v in peers.items() if isinstance(v, (int, float))}
        best = None
        if vals:
            best = max(vals.items(), key=lambda kv: kv[1]) if higher_better else min(vals.items(), key=lambda kv: kv[1])
        ratio = None
        if isinstance(kg, (int, float)) and best and best[1]:
            ratio = kg / best[1]
        rows.append(dict(item=item, kg=kg if kg is not None else kg_err, peers={**(peer_errs or {}), **peers},
                         unit=unit, goal=goal, best=best[0] if best else None, ratio=ratio,
                         higher_better=higher_better, note=note))

    if "load" in raw:
        runs, errs = raw["load"]["runs"], raw["load"]["errors"]

        def m(name, key):
            return med([r.get(key) for r in runs.get(name, [])])
        kuzu_t = {f"kuzu {s} (DDL+COPY)": m(f"kuzu {s}", "seconds") for s in a.kuzu_schemas.split(",")
                  if runs.get(f"kuzu {s}")}
        kuzu_m = {f"kuzu {s}": m(f"kuzu {s}", "rss_mb") for s in a.kuzu_schemas.split(",") if runs.get(f"kuzu {s}")}
        kerr = {f"kuzu {s} (DDL+COPY)": errs[f"kuzu {s}"] for s in a.kuzu_schemas.split(",") if f"kuzu {s}" in errs}
        add("load 1M edges from text: cold `kg stats` (process)", m("kg stats", "seconds"), kuzu_t, "s", GOALS["load"],
            kg_err=errs.get("kg stats"), peer_errs=kerr)
        add("load 1M edges from text: peak RSS of `kg stats`", m("kg stats", "rss_mb"), kuzu_m, "MB", "<= 150 MB",
            kg_err=errs.get("kg stats"))
        if a.kg_cache:
            add("load 1M edges from the cache: cold `kg stats` (process)", m("kg stats (cache)", "seconds"), kuzu_t, "s",
                GOALS["load_cache"], kg_err=errs.get("kg stats (cache)"), peer_errs=kerr)
            add("load 1M edges from the cache: peak RSS of `kg stats`", m("kg stats (cache)", "rss_mb"), kuzu_m, "MB",
                "<= 150 MB", kg_err=errs.get("kg stats (cache)"))
        add("load 1M edges from text: cold `kg query` count(n) (process)", m("kg query count", "seconds"), kuzu_t, "s",
            GOALS["load"], kg_err=errs.get("kg query count"), peer_errs=kerr)
        add("load 1M edges: parse+build in-process (library, text)", m("kg-bench load", "load_seconds"), kuzu_t, "s",
            GOALS["load"], kg_err=errs.get("kg-bench load"), peer_errs=kerr)
        add("cold start + q1 lookup, text load (process)", m("kg-bench load", "seconds"), kuzu_t, "s",
            GOALS["load"], kg_err=errs.get("kg-bench load"), peer_errs=kerr)
        add("peak RSS, cold start + q1, text load", m("kg-bench load", "rss_mb"), kuzu_m, "MB", "<= 150 MB",
            kg_err=errs.get("kg-bench load"))
        if a.kg_cache:
            add("load 1M edges from the binary cache in-process", m("kg-bench load (cache)", "load_seconds"),
                kuzu_t, "s", GOALS["load_cache"], kg_err=errs.get("kg-bench load (cache)"), peer_errs=kerr)
            add("cold start + q1 lookup, binary cache (process)", m("kg-bench load (cache)", "seconds"),
                kuzu_t, "s", GOALS["load_cache"], kg_err=errs.get("kg-bench load (cache)"), peer_errs=kerr)
            add("peak RSS, cold start + q1, binary cache", m("kg-bench load (cache)", "rss_mb"), kuzu_m, "MB",
                "<= 150 MB", kg_err=errs.get("kg-bench load (cache)"))
    if "queries" in raw:
        runs, errs = raw["queries"]["runs"], raw["queries"]["errors"]
        for qn, _, _ in QUERIES:
            def qm(name):
                vals = [r[qn]["median"] for r in runs.get(name, []) if isinstance(r.get(qn), dict) and "median" in r[qn]]
                return med(vals)
            peers = {f"kuzu {s}": qm(f"kuzu {s}") for s in a.kuzu_schemas.split(",")}
            peers = {k: v for k, v in peers.items() if v is not None}
            kg_err = errs.get("kg")
            if kg_err is None:
                bad = [r[qn].get("error") for r in runs.get("kg", []) if isinstance(r.get(qn), dict) and "error" in r[qn]]
                kg_err = f"error: {bad[0][:120]}" if bad else None
            kgres = [r[qn].get("result") for r in runs.get("kg", []) if isinstance(r.get(qn), dict)]
            kres = [r[qn].get("result") for s in a.kuzu_schemas.split(",") for r in runs.get(f"kuzu {s}", [])
                    if isinstance(r.get(qn), dict)]
            note = ""
            if kgres and kres:
                note = f"kg → {str(kgres[0])[:60]}; kuzu → {str(kres[0])[:60]}"
            add(f"query {qn} (warm)", qm("kg"), peers, "ms", GOALS["query"], note=note, kg_err=kg_err,
                peer_errs={f"kuzu {s}": errs[f"kuzu {s}"] for s in a.kuzu_schemas.split(",") if f"kuzu {s}" in errs})
    if "graphml" in raw:
        runs, errs = raw["graphml"]["runs"], raw["graphml"]["errors"]

        def mbps(name):
            vals = []
            for r in runs.get(name, []):
                b = r.get("bytes")
                if name == "C ceiling write":
                    s = ceiling_seconds(r)
                else:
                    s = r.get("seconds")
                if b and s:
                    vals.append(b / 1e6 / s)
            return med(vals)
        add("GraphML write, medium (MB/s)", mbps("kg write"),
            {k: mbps(k) for k in ("C ceiling write", "igraph write", "networkx write") if runs.get(k)},
            "MB/s", GOALS["graphml_write"], higher_better=True, kg_err=errs.get("kg write"),
            peer_errs={k: v for k, v in errs.items() if k in ("C ceiling write", "igraph write", "networkx write")})
        add("GraphML read, medium, kg's own file (MB/s)", mbps("kg read"),
            {k: mbps(k) for k in ("igraph read", "networkx read") if runs.get(k)},
            "MB/s", GOALS["graphml_read"], higher_better=True, kg_err=errs.get("kg read"))
        add("GraphML read, medium, networkx's file (MB/s)", mbps("kg read nx-file"),
            {k: mbps(k) for k in ("igraph read", "networkx read") if runs.get(k)},
            "MB/s", GOALS["graphml_read"], higher_better=True, kg_err=errs.get("kg read nx-file"))
        add("GraphML read, peak RSS (MB)", med([r.get("_process_rss_mb") for r in runs.get("kg read", [])]),
            {k: med([r.get("_process_rss_mb") for r in runs.get(k, [])]) for k in ("igraph read", "networkx read")
             if runs.get(k)}, "MB", "<= 500 MB", kg_err=errs.get("kg read"))
    if "layout" in raw:
        runs, errs, q = raw["layout"]["runs"], raw["layout"]["errors"], raw["layout"]["quality"]
        for n in (30, 100, 300):
            g = f"layout{n}"
            add(f"layout {g}: `kg export svg` vs `dot -Tsvg` (time)",
                med([r["seconds"] for r in runs.get(f"{g} kg", [])]),
                {"dot": med([r["seconds"] for r in runs.get(f"{g} dot", [])])}, "s", "time <= dot",
                kg_err=errs.get(f"{g} kg"))
            kq, dq = q.get(f"{g} kg", {}), q.get(f"{g} dot", {})
            bq = q.get(f"{g} kg-bench", {})
            add(f"layout {g}: layout + SVG in-process, benchmark style (time)",
                med([r["seconds"] for r in runs.get(f"{g} kg-bench", [])]),
                {"dot": med([r["seconds"] for r in runs.get(f"{g} dot", [])])}, "s", "time <= dot",
                kg_err=errs.get(f"{g} kg-bench"))
            add(f"layout {g}: edge crossings, benchmark style (Bezier, crossings.py)", bq.get("crossings"),
                {"dot": dq.get("crossings")}, "", "<= 0.8x dot, 0 overlaps",
                note=f"kg overlaps {bq.get('node_overlaps')}, edge-through-node {bq.get('edge_node_hits')}",
                kg_err=errs.get(f"{g} kg-bench") or bq.get("error"))
            add(f"layout {g}: edge crossings (Bezier, crossings.py)", kq.get("crossings"),
                {"dot": dq.get("crossings")}, "", "<= 0.8x dot, 0 overlaps",
                note=f"kg overlaps {kq.get('node_overlaps')}, edge-through-node {kq.get('edge_node_hits')}; "
                     f"dot overlaps {dq.get('node_overlaps')}, edge-through-node {dq.get('edge_node_hits')}"
                     + (f"; kg svg: {kq['error']}" if "error" in kq else ""),
                kg_err=errs.get(f"{g} kg") or kq.get("error"))
    if "aho" in raw:
        runs, errs = raw["aho"]["runs"], raw["aho"]["errors"]

        def rate(name):
            return med([r["MB"] / r["seconds"] for r in runs.get(name, []) if r.get("seconds")])
        note = ""
        if runs.get("kg") and runs.get("pyahocorasick"):
            note = f"matches kg {runs['kg'][0]['matches']}, pyahocorasick {runs['pyahocorasick'][0]['matches']}"
        add("alias matching, 10,018 aliases over 10 MB (MB/s)", rate("kg"),
            {"pyahocorasick": rate("pyahocorasick")}, "MB/s", GOALS["aho"], higher_better=True, note=note,
            kg_err=errs.get("kg"), peer_errs={k: v for k, v in errs.items() if k != "kg"})
    return rows


def print_table(rows):
    tools = []
    for r in rows:
        for k in r["peers"]:
            if k not in tools:
                tools.append(k)
    lines = ["| work item | kg | " + " | ".join(tools) + " | kg / best peer | goal |",
             "| --- | ---: | " + " | ".join("---:" for _ in tools) + " | ---: | --- |"]
    for r in rows:
        cells = [r["item"], fmt(r["kg"], r["unit"])]
        for tl in tools:
            cells.append(fmt(r["peers"].get(tl), r["unit"]))
        if r["ratio"] is not None:
            cells.append(f"{r['ratio']:.2f}× {r['best']}" + (" (higher is better)" if r["higher_better"] else ""))
        else:
            cells.append("—")
        cells.append(r["goal"])
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    notes = [f"- {r['item']}: {r['note']}" for r in rows if r["note"]]
    return "\n".join(lines) + ("\n\n" + "\n".join(notes) if notes else "")


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--shared", default=os.environ.get("KG_SHARED", os.path.join(REPO, "..", "shared")))
    ap.add_argument("--items", default="load,queries,graphml,layout,aho")
    ap.add_argument("--repeats", type=int, default=3, help="alternating rounds per item")
    ap.add_argument("--query-repeats", type=int, default=5, help="warm runs of each query per round")
    ap.add_argument("--kuzu-schemas", default="single,typed")
    ap.add_argument("--kuzu-typed-load-rounds", type=int, default=1,
                    help="rounds that reload the typed Kuzu schema (438 COPY statements, ~30 s each)")
    ap.add_argument("--no-networkx", dest="networkx", action="store_false",
                    help="skip networkx GraphML (about 55 s write + 37 s read per round on the medium graph)")
    ap.add_argument("--networkx-rounds", type=int, default=1)
    ap.add_argument("--no-cache", dest="kg_cache", action="store_false", help="skip the binary-cache load row")
    ap.add_argument("--out")
    ap.add_argument("--prepare-only", action="store_true")
    ap.add_argument("--aho-child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.aho_child:
        aho_child(a.aho_child[0], int(a.aho_child[1]))
        return
    t = Tools(a)
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    info = prepare(t, a)
    if a.prepare_only:
        return
    import benchlib
    out = a.out or os.path.join(t.data, "results", "compare.json")
    raw = {}
    result = {"machine": benchlib.machine_notes(), "started": started, "args": vars(a), "kg": t.kg,
              "kg_bench": t.kgb, "params": info.get("params"), "queries": QUERIES, "raw": raw}
    items = a.items.split(",")
    if "load" in items:
        runs, errs = item_load(t, a, a.repeats, info["params"])
        raw["load"] = {"runs": runs, "errors": errs}
    if "queries" in items:
        runs, errs = item_queries(t, a, a.repeats)
        raw["queries"] = {"runs": runs, "errors": errs}
    if "graphml" in items:
        runs, errs = item_graphml(t, a, a.repeats)
        raw["graphml"] = {"runs": runs, "errors": errs}
    if "layout" in items:
        runs, errs, q = item_layout(t, a, max(a.repeats, 3))
        raw["layout"] = {"runs": runs, "errors": errs, "quality": q}
    if "aho" in items:
        runs, errs = item_aho(t, a, a.repeats)
        raw["aho"] = {"runs": runs, "errors": errs}
    for item in raw.values():  # stdout/stderr of every process are not worth keeping in the JSON
        for lst in item["runs"].values():
            for r in lst:
                r.pop("stdout", None)
                if r.get("rc", 0) == 0:
                    r.pop("stderr", None)
    rows = build_rows(None, raw, a)
    result["rows"] = rows
    result["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    result["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    table = print_table(rows)
    result["table_markdown"] = table
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True, default=str)
        f.write("\n")
    os.replace(tmp, out)
    print(table)
    log(f"\nwrote {out}")


if __name__ == "__main__":
    main()
