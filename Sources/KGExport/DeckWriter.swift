import Foundation

/// A slide deck from kg's slides: one self-contained HTML page (every SVG inline, a few lines of
/// script for the keys; no network, no external file) and Marp Markdown (one slide per SVG file).
public enum DeckWriter {
    public struct Slide: Sendable {
        public var title: String
        /// The SVG (its ids unique across the deck: render each slide with its own id prefix).
        public var svg: String
        /// Speaker notes (HTML deck: press N; Marp: presenter notes).
        public var notes: String?
        /// File name for the Marp deck's image of this slide.
        public var fileName: String
        public init(title: String, svg: String, notes: String?, fileName: String) {
            self.title = title; self.svg = svg; self.notes = notes; self.fileName = fileName
        }
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if c.value < 0x20 && c != "\n" && c != "\t" { continue }
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// The SVG without its XML declaration, for inline use.
    static func inline(_ svg: String) -> String {
        var s = Substring(svg)
        if s.hasPrefix("<?xml"), let end = s.range(of: "?>") { s = s[end.upperBound...] }
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// One HTML page: arrow keys, Page Up/Down, space and a click move between slides; Home/End go to
    /// the first/last; F toggles full screen; N shows the notes; the address keeps the slide number
    /// (#3); printing gives one slide per page.
    public static func html(title: String, slides: [Slide]) -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="kg">
        <title>\(escape(title))</title>
        <style>
        html, body { margin: 0; height: 100%; background: #2b2b2b; overflow: hidden; font-family: Helvetica, Arial, sans-serif; }
        .slide { position: absolute; inset: 0; display: none; align-items: center; justify-content: center; }
        .slide.current { display: flex; }
        .slide > svg { width: 100vw; height: 100vh; max-width: 100%; max-height: 100%; background: #ffffff; }
        .notes { display: none; position: fixed; left: 0; right: 0; bottom: 0; max-height: 40vh; overflow: auto; margin: 0;
                 padding: 12px 18px; background: rgba(0, 0, 0, 0.82); color: #f0f0f0; font-size: 18px; line-height: 1.4; }
        body.show-notes .slide.current .notes { display: block; }
        #counter { position: fixed; right: 14px; bottom: 10px; color: #9a9a9a; font-size: 14px; }
        @media print {
          html, body { overflow: visible; background: #ffffff; }
          .slide { position: relative; display: flex; height: 100vh; page-break-after: always; break-after: page; }
          .notes, #counter { display: none !important; }
        }
        </style>
        </head>
        <body>

        """
        for (i, s) in slides.enumerated() {
            out += "<section class=\"slide\(i == 0 ? " current" : "")\" id=\"slide-\(i + 1)\" aria-label=\"\(escape(s.title))\">\n"
            out += inline(s.svg) + "\n"
            if let n = s.notes, !n.isEmpty { out += "<aside class=\"notes\">\(escape(n))</aside>\n" }
            out += "</section>\n"
        }
        out += """
        <div id="counter" aria-live="polite"></div>
        <script>
        (function () {
          var slides = document.querySelectorAll('.slide'), current = 0, counter = document.getElementById('counter');
          function show(n) {
            if (!slides.length) { return; }
            current = Math.max(0, Math.min(slides.length - 1, n));
            for (var i = 0; i < slides.length; i++) { slides[i].className = 'slide' + (i === current ? ' current' : ''); }
            counter.textContent = (current + 1) + ' / ' + slides.length;
            if (location.hash !== '#' + (current + 1)) { history.replaceState(null, '', '#' + (current + 1)); }
          }
          function fromHash() { var n = parseInt(location.hash.slice(1), 10); return isNaN(n) ? 0 : n - 1; }
          document.addEventListener('keydown', function (e) {
            if (e.altKey || e.ctrlKey || e.metaKey) { return; }
            switch (e.key) {
              case 'ArrowRight': case 'ArrowDown': case 'PageDown': case ' ': case 'Enter': show(current + 1); break;
              case 'ArrowLeft': case 'ArrowUp': case 'PageUp': case 'Backspace': show(current - 1); break;
              case 'Home': show(0); break;
              case 'End': show(slides.length - 1); break;
              case 'f': case 'F':
                if (document.fullscreenElement) { document.exitFullscreen(); }
                else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
                break;
              case 'n': case 'N': document.body.classList.toggle('show-notes'); break;
              default: return;
            }
            e.preventDefault();
          });
          document.addEventListener('click', function (e) { if (e.button === 0) { show(current + (e.shiftKey ? -1 : 1)); } });
          window.addEventListener('hashchange', function () { show(fromHash()); });
          show(fromHash());
        })();
        </script>
        </body>
        </html>

        """
        return out
    }

    /// Marp Markdown: front matter, then one slide per SVG (as a background image fitted to the slide)
    /// with its notes as presenter notes. `imageFolder` is where the SVG files are, relative to the file.
    public static func marp(title: String, slides: [Slide], imageFolder: String, size: String) -> String {
        var out = "---\nmarp: true\nsize: \(size)\npaginate: true\ntitle: \"\(title.replacingOccurrences(of: "\"", with: "'"))\"\n---\n"
        for (i, s) in slides.enumerated() {
            if i > 0 { out += "\n---\n" }
            let path = imageFolder.isEmpty ? s.fileName : imageFolder + "/" + s.fileName
            out += "\n![bg contain](\(path.replacingOccurrences(of: " ", with: "%20")))\n"
            // An HTML comment is a presenter note in Marp.
            let note = [s.title, s.notes ?? ""].filter { !$0.isEmpty }.joined(separator: "\n\n")
            out += "\n<!--\n\(note.replacingOccurrences(of: "--", with: "–"))\n-->\n"
        }
        return out
    }
}
