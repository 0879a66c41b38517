// Cypher syntax highlighting for the query editor of kg serve. No dependencies: a small tokenizer
// that knows openCypher's keywords, strings, numbers, comments, parameters, labels and relationship
// types, and writes the highlighted text as DOM nodes (never as HTML).
"use strict";

const KGCypher = (() => {
  const KEYWORDS = new Set(("MATCH OPTIONAL WHERE WITH RETURN DISTINCT ORDER BY ASC ASCENDING DESC DESCENDING SKIP " +
    "LIMIT UNWIND AS UNION ALL CREATE MERGE ON SET REMOVE DELETE DETACH AND OR XOR NOT IN STARTS ENDS " +
    "CONTAINS IS NULL TRUE FALSE CASE WHEN THEN ELSE END EXISTS CALL YIELD COUNT").split(" "));
  const FUNCTIONS = new Set(("id labels type properties keys startNode endNode nodes relationships length size " +
    "head last tail range reverse coalesce exists toString toInteger toFloat toBoolean toLower toUpper trim " +
    "ltrim rtrim split replace substring left right abs sign ceil floor round sqrt exp log log10 sin cos tan " +
    "pi e rand count collect sum avg min max stDev stDevP percentileCont percentileDisc shortestPath " +
    "allShortestPaths all any none single reduce").split(" ").map(s => s.toLowerCase()));

  // Tokens: {type, text}. Types: kw, fn, str, num, cmt, param, label, rel, var, op, ws, punct, bad.
  function tokenize(src) {
    const out = [];
    let i = 0;
    let prev = null; // last significant token
    const n = src.length;
    const push = (type, text) => { out.push({ type, text }); if (type !== "ws" && type !== "cmt") prev = { type, text }; };
    while (i < n) {
      const c = src[i];
      if (/\s/.test(c)) {
        let j = i + 1; while (j < n && /\s/.test(src[j])) j++;
        push("ws", src.slice(i, j)); i = j; continue;
      }
      if (c === "/" && src[i + 1] === "/") {
        let j = src.indexOf("\n", i); if (j < 0) j = n;
        push("cmt", src.slice(i, j)); i = j; continue;
      }
      if (c === "/" && src[i + 1] === "*") {
        let j = src.indexOf("*/", i + 2); j = j < 0 ? n : j + 2;
        push("cmt", src.slice(i, j)); i = j; continue;
      }
      if (c === "'" || c === '"') {
        let j = i + 1;
        while (j < n && src[j] !== c) { if (src[j] === "\\") j++; j++; }
        j = Math.min(n, j + 1);
        push("str", src.slice(i, j)); i = j; continue;
      }
      if (c === "`") {
        let j = src.indexOf("`", i + 1); j = j < 0 ? n : j + 1;
        push(prev && prev.text === ":" ? labelKind(out) : "var", src.slice(i, j)); i = j; continue;
      }
      if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] || ""))) {
        const m = /^(0x[0-9a-fA-F]+|0o[0-7]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)/.exec(src.slice(i));
        const t = m ? m[0] : c;
        push("num", t); i += t.length; continue;
      }
      if (c === "$") {
        const m = /^\$[A-Za-z_][A-Za-z0-9_]*|^\$[0-9]+/.exec(src.slice(i));
        const t = m ? m[0] : c;
        push("param", t); i += t.length; continue;
      }
      if (/[A-Za-z_\u00C0-\uFFFF]/.test(c)) {
        const m = /^[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_\u00C0-\uFFFF]*/.exec(src.slice(i));
        const w = m[0];
        let type;
        if (prev && (prev.text === ":" || prev.text === "|") && labelContext(out)) type = labelKind(out);
        else if (prev && prev.text === ".") type = src[i + w.length] === "(" ? "fn" : "var";
        else if (KEYWORDS.has(w.toUpperCase())) type = "kw";
        else if (src[i + w.length] === "(" && FUNCTIONS.has(w.toLowerCase())) type = "fn";
        else if (src[i + w.length] === "." && src[i + w.length + 1] && /[A-Za-z_]/.test(src[i + w.length + 1])) {
          // namespace.function( — e.g. kg.named(
          const rest = /^\.[A-Za-z_][A-Za-z0-9_]*\(/.exec(src.slice(i + w.length));
          type = rest ? "fn" : "var";
        } else type = "var";
        push(type, w); i += w.length; continue;
      }
      const two = src.slice(i, i + 2);
      if (["<>", "<=", ">=", "=~", "->", "<-", "+=", ".."].includes(two)) { push("op", two); i += 2; continue; }
      if ("=<>+-*/%^".includes(c)) { push("op", c); i++; continue; }
      push("punct", c); i++;
    }
    return out;
  }

  // After ':' or '|': a label inside (…) or a relationship type inside […].
  function labelContext(tokens) {
    let depth = 0;
    for (let k = tokens.length - 1; k >= 0; k--) {
      const t = tokens[k].text;
      if (tokens[k].type === "str" || tokens[k].type === "cmt") continue;
      if (t === ")" || t === "]" || t === "}") depth++;
      else if (t === "(" || t === "[") { if (depth === 0) return true; depth--; }
      else if (t === "{") { if (depth === 0) return false; depth--; }
    }
    return true;
  }
  function labelKind(tokens) {
    let depth = 0;
    for (let k = tokens.length - 1; k >= 0; k--) {
      const t = tokens[k].text;
      if (tokens[k].type === "str" || tokens[k].type === "cmt") continue;
      if (t === ")" || t === "]") depth++;
      else if (t === "(") { if (depth === 0) return "label"; depth--; }
      else if (t === "[") { if (depth === 0) return "rel"; depth--; }
    }
    return "label";
  }

  // Fills `target` with spans for the tokens of `src`; the character at `errorAt` (an offset in
  // `src`, or -1) is marked as the place of an error.
  function highlight(src, target, errorAt = -1) {
    while (target.firstChild) target.removeChild(target.firstChild);
    let pos = 0;
    const put = (type, text) => {
      if (type === "ws" || type === "punct") { target.appendChild(document.createTextNode(text)); return; }
      const s = document.createElement("span");
      s.className = "tok-" + type;
      s.textContent = text;
      target.appendChild(s);
    };
    for (const t of tokenize(src)) {
      const end = pos + t.text.length;
      if (errorAt >= pos && errorAt < end) {
        const k = errorAt - pos;
        if (k > 0) put(t.type, t.text.slice(0, k));
        const e = document.createElement("span");
        e.className = "tok-error";
        e.title = "the error is here";
        e.textContent = t.text.slice(k, k + 1) === "\n" ? " " : t.text.slice(k, k + 1);
        target.appendChild(e);
        if (t.text.slice(k, k + 1) === "\n") target.appendChild(document.createTextNode("\n"));
        if (k + 1 < t.text.length) put(t.type, t.text.slice(k + 1));
      } else {
        put(t.type, t.text);
      }
      pos = end;
    }
    if (errorAt >= src.length) {
      const e = document.createElement("span");
      e.className = "tok-error";
      e.textContent = " ";
      target.appendChild(e);
    }
    // A final newline needs a character after it to take up a line in a <pre>.
    target.appendChild(document.createTextNode("\n"));
  }

  return { tokenize, highlight };
})();
