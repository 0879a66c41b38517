#!/usr/bin/env python3
"""kg's Cypher script against a real Cypher server: FalkorDB, embedded (falkordblite).

Run with the Python of the virtual environment `.ci/falkordb-venv.sh` sets up
(`.venv-falkordb/bin/python`); FalkorDB needs Python >= 3.12.

  falkordb_bench.py load --script FILE [--db DIR]
      Loads a Cypher script (statements end with ';' at the end of a line, as `kg export cypher`
      writes them) into a fresh graph and prints JSON: load seconds, statements, node and
      relationship counts, label sets, relationship types. A statement FalkorDB rejects stops the
      load: the message names the statement (number and line), its start and FalkorDB's reason,
      and the exit status is 1.

  falkordb_bench.py compare --graph DIR [--kg BIN] [--queries FILE] [--repeats N] [--db DIR] [--out FILE]
      The whole round trip: `kg export cypher --index falkordb` of the graph folder, the load,
      then the benchmark queries q1-q6 (Benchmarks/compare.py's, with parameters picked from the
      graph unless --queries gives a kg-queries.json) in FalkorDB and in kg (`kg query --format
      json`). Compares counts, label sets, relationship types and every query's rows; prints a
      table (or JSON with --json) with FalkorDB's load time and the median query times of both.
      Exit status 1 when anything differs.

This is the benchmark for the 100k/1M graph too:
  .venv-falkordb/bin/python Benchmarks/falkordb_bench.py compare --graph Benchmarks/data/medium.kg \
      --kg .build-bench/release/kg --queries Benchmarks/data/kg-queries.json --repeats 5
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# Benchmarks/compare.py's workload (issue 3), with the same names.
QUERIES = [
    ("q1_lookup", "MATCH (n {name: $x}) RETURN n.name", {"x": "x_median"}),
    ("q2_1hop_typed", "MATCH (a:{src})-[:{t1}]->(b) RETURN count(*)", {}),
    ("q3_2hop", "MATCH (a)-[:{t1}]->(b)-[:{t2}]->(c) RETURN count(*)", {}),
    ("q4_varlen_median", "MATCH (a {name: $x})-[*1..3]->(b) RETURN count(DISTINCT b)", {"x": "x_median"}),
    ("q4_varlen_hub", "MATCH (a {name: $x})-[*1..3]->(b) RETURN count(DISTINCT b)", {"x": "x_hub"}),
    ("q5_agg", "MATCH (a)-[r]->(b) RETURN type(r) AS t, count(*) AS c ORDER BY c DESC", {}),
    ("q6_shortest", "MATCH p = shortestPath((a {name: $x})-[*..10]-(b {name: $y})) RETURN length(p)",
     {"x": "x_median", "y": "y_far"}),
]

# FalkorDB's text where its Cypher differs. Its shortestPath() works only in WITH/RETURN and only
# directed, and its algo.SPpaths procedure (relDirection 'both') runs past the client's socket
# timeout on the 1M-edge graph; the undirected shortest path is found by iterative deepening
# instead: paths of exactly k steps for k = 1, 2, … up to 10, the first k with a path is the
# length (no row when there is none, as in kg).
SHORTEST_STEP = "MATCH (a {name: $x}), (b {name: $y}) MATCH p = (a)-[*K..K]-(b) RETURN length(p) LIMIT 1"
FALKORDB_TEXT = {
    "q6_shortest": "iterative deepening: " + SHORTEST_STEP + " for K = 1..10",
}


def falkordb_rows(g, name, text, params):
    if name == "q6_shortest":
        for k in range(1, 11):
            rows = g.query(SHORTEST_STEP.replace("K..K", f"{k}..{k}"), params).result_set
            if rows:
                return rows
        return []
    return g.query(text, params).result_set


def falkordb_text(name, query):
    """The query as FalkorDB must be given it for openCypher's answer. Besides FALKORDB_TEXT:
    FalkorDB (4.x, as falkordblite 0.11 embeds it) counts a multi-hop pattern over parallel edges
    once when its relationships are anonymous (`(a)-[:R]->(b)-[:R]->(c)` with two a->b edges gives
    1, openCypher 2), so every anonymous typed relationship gets a variable."""
    if name in FALKORDB_TEXT:
        return FALKORDB_TEXT[name]
    n = 0
    while "-[:" in query:
        n += 1
        query = query.replace("-[:", f"-[_r{n}:", 1)
    return query


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def statements(path):
    """(number, line, text) of each statement: lines up to one ending with ';'; // comments skipped."""
    out, buf, start = [], [], None
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            s = line.rstrip("\n")
            if not buf and (not s.strip() or s.lstrip().startswith("//")):
                continue
            if start is None:
                start = i
            buf.append(s)
            if s.rstrip().endswith(";"):
                text = "\n".join(buf).rstrip()
                out.append((len(out) + 1, start, text[:-1]))
                buf, start = [], None
    if buf:
        out.append((len(out) + 1, start, "\n".join(buf)))
    return out


def open_graph(db_dir):
    from redislite.falkordb_client import FalkorDB
    db = FalkorDB(os.path.join(db_dir, "falkordb.db"))
    return db, db.select_graph("kg")


def load(g, script):
    stmts = statements(script)
    t0 = time.perf_counter()
    for n, line, text in stmts:
        try:
            g.query(text)
        except Exception as e:  # redis.exceptions.ResponseError and friends
            reason = " ".join(str(e).split())
            head = " ".join(text.split())[:160]
            raise SystemExit(f"{script}:{line}: error: FalkorDB rejected statement {n} ({head}{'…' if len(text) > 160 else ''}): {reason}")
    return time.perf_counter() - t0, len(stmts)


def counts(g):
    nodes = g.query("MATCH (n) RETURN count(n)").result_set[0][0]
    rels = g.query("MATCH ()-[r]->() RETURN count(r)").result_set[0][0]
    labels = g.query("MATCH (n) RETURN labels(n), count(*)").result_set
    types = g.query("MATCH ()-[r]->() RETURN type(r), count(*)").result_set
    return {
        "nodes": nodes,
        "relationships": rels,
        "label_sets": sorted([["|".join(sorted(l)), c] for l, c in labels]),
        "types": sorted([[t, c] for t, c in types]),
    }


def norm(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v


def rows_key(rows):
    return sorted(json.dumps(norm(r), sort_keys=True) for r in rows)


def kg_json(kg, graph, query, params):
    argv = [kg, "query", "--graph", graph, "--format", "json", query]
    if params:
        argv += ["--params", json.dumps(params)]
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"kg query failed ({p.returncode}): {query}\n{p.stderr}")
    return json.loads(p.stdout)


def pick_queries(kg, graph):
    """Parameters and typed patterns for the graph: the median-degree node, the hub, a node far
    from the median one, the most common kind with outgoing edges and the two most common
    non-symmetric relation types that chain."""
    deg = kg_json(kg, graph, "MATCH (n)-[r]-() RETURN n.name AS name, count(r) AS d ORDER BY d DESC, name", {})["rows"]
    names = [r[0] for r in deg if r[0] is not None]
    params = {"x_hub": names[0], "x_median": names[len(names) // 2], "y_far": names[(3 * len(names)) // 4]}
    # Symmetric (or undirected) types match both ways in kg when named in a pattern, one way in a
    # Cypher server: typed patterns use only the others (their typed count equals their edge count).
    one_way = set()
    for t, c in kg_json(kg, graph, "MATCH ()-[r]->() RETURN type(r), count(*)", {})["rows"]:
        if kg_json(kg, graph, f"MATCH ()-[:{t}]->() RETURN count(*)", {})["rows"][0][0] == c:
            one_way.add(t)
    schema = [r for r in kg_json(kg, graph, "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS k, type(r) AS t, count(*) AS c "
                                 "ORDER BY c DESC, k, t", {})["rows"] if r[1] in one_way]
    src, t1 = schema[0][0], schema[0][1]
    chain = [r for r in kg_json(kg, graph, f"MATCH (a)-[:{t1}]->(b)-[r]->(c) RETURN type(r) AS t, count(*) AS c "
                                "ORDER BY c DESC, t", {})["rows"] if r[0] in one_way]
    t2 = chain[0][0] if chain else t1
    out = []
    for name, q, pm in QUERIES:
        out.append({"name": name, "query": q.replace("{src}", src).replace("{t1}", t1).replace("{t2}", t2),
                    "params": {k: params[v] for k, v in pm.items()}})
    return out


def timed(fn, repeats):
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, statistics.median(times)


def cmd_load(a):
    with tempfile.TemporaryDirectory() as tmp:
        db, g = open_graph(a.db or tmp)
        secs, n = load(g, a.script)
        out = {"load_seconds": secs, "statements": n}
        out.update(counts(g))
        print(json.dumps(out, indent=1))


def cmd_compare(a):
    kg = a.kg or os.path.join(REPO, ".build", "debug", "kg")
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "graph.cypher")
        t0 = time.perf_counter()
        p = subprocess.run([kg, "export", "cypher", "--index", "falkordb", "--graph", a.graph, "-o", script],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"kg export cypher failed: {p.stderr}")
        export_s = time.perf_counter() - t0
        log(f"exported {os.path.getsize(script) / 1e6:.1f} MB in {export_s:.1f} s; loading into FalkorDB")
        db, g = open_graph(a.db or tmp)
        load_s, nstmt = load(g, script)
        log(f"loaded {nstmt} statements in {load_s:.1f} s")
        fc = counts(g)
        log("picking query parameters" if not a.queries else "queries from " + a.queries)
        queries = json.load(open(a.queries)) if a.queries else pick_queries(kg, a.graph)

        # kg's side: the same counts and queries through `kg query`.
        kc = {
            "nodes": kg_json(kg, a.graph, "MATCH (n) RETURN count(n)", {})["rows"][0][0],
            "relationships": kg_json(kg, a.graph, "MATCH ()-[r]->() RETURN count(r)", {})["rows"][0][0],
            "label_sets": sorted([["|".join(sorted(l)), c] for l, c in
                                  kg_json(kg, a.graph, "MATCH (n) RETURN labels(n), count(*)", {})["rows"]]),
            "types": sorted([[t, c] for t, c in kg_json(kg, a.graph, "MATCH ()-[r]->() RETURN type(r), count(*)", {})["rows"]]),
        }
        mismatches = [f"{k}: FalkorDB {fc[k]!r:.300} vs kg {kc[k]!r:.300}" for k in fc if norm(fc[k]) != norm(kc[k])]
        results = []
        log(f"counted in FalkorDB and kg; running {len(queries)} queries")
        for q in queries:
            ftext = falkordb_text(q["name"], q["query"])
            try:
                frows, ft = timed(lambda: falkordb_rows(g, q["name"], ftext, q["params"]), a.repeats)
            except Exception as e:
                mismatches.append(f"{q['name']}: FalkorDB refused the query: {' '.join(str(e).split())}")
                continue
            log(f"  {q['name']}: FalkorDB {ft:.4f} s")
            t0 = time.perf_counter()
            kres = kg_json(kg, a.graph, q["query"], q["params"])
            kt = time.perf_counter() - t0
            same = rows_key(frows) == rows_key(kres["rows"])
            if not same:
                mismatches.append(f"{q['name']}: FalkorDB {norm(frows)[:5]} vs kg {kres['rows'][:5]}")
            results.append({"name": q["name"], "query": q["query"], "falkordb_query": ftext, "params": q["params"],
                            "falkordb_rows": norm(frows),
                            "kg_rows": kres["rows"], "same": same, "falkordb_median_s": ft,
                            "kg_process_s": kt})
        out = {"graph": a.graph, "export_seconds": export_s, "load_seconds": load_s, "statements": nstmt,
               "falkordb": fc, "kg": kc, "queries": results, "mismatches": mismatches}
        if a.out:
            with open(a.out, "w") as f:
                json.dump(out, f, indent=1)
        if a.json:
            print(json.dumps(out, indent=1))
        else:
            print(f"graph {a.graph}: {fc['nodes']} nodes, {fc['relationships']} relationships")
            print(f"kg export cypher {export_s:.2f} s; FalkorDB load {load_s:.2f} s ({nstmt} statements)")
            print(f"{'query':<18} {'same':<5} {'FalkorDB median s':>18} {'kg process s':>13}")
            for r in results:
                print(f"{r['name']:<18} {str(r['same']):<5} {r['falkordb_median_s']:>18.4f} {r['kg_process_s']:>13.3f}")
            print("(kg's time is a whole `kg query` process: load plus query; compare.py times kg's queries warm)")
            for m in mismatches:
                print("MISMATCH " + m)
        sys.exit(1 if mismatches else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    l = sub.add_parser("load")
    l.add_argument("--script", required=True)
    l.add_argument("--db")
    c = sub.add_parser("compare")
    c.add_argument("--graph", required=True)
    c.add_argument("--kg")
    c.add_argument("--queries")
    c.add_argument("--repeats", type=int, default=3)
    c.add_argument("--db")
    c.add_argument("--out")
    c.add_argument("--json", action="store_true")
    a = ap.parse_args()
    try:
        import redislite.falkordb_client  # noqa: F401
    except ImportError as e:
        raise SystemExit(f"falkordblite is not installed in {sys.executable} ({e}); run bash .ci/falkordb-venv.sh")
    {"load": cmd_load, "compare": cmd_compare}[a.cmd](a)


if __name__ == "__main__":
    main()
