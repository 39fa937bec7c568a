/// The `GET /docs` page: renders `/openapi.json` (fetched from the same origin, relative to the page)
/// with inline CSS and JavaScript only, so it works offline and behind a path prefix.
enum DocsPage {
    static let html: String = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>API documentation</title>
        <style>
        :root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--mute:#59636e;--line:#d1d9e0;--box:#f6f8fa;--accent:#0b5cad}
        @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--mute:#9198a1;--line:#3d444d;--box:#151b23;--accent:#58a6ff}}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        header,nav,main{max-width:72rem;margin:0 auto;padding:0 1rem}
        header{padding-top:1rem}
        h1{margin:.5rem 0}h2{margin-top:2rem;border-bottom:1px solid var(--line)}
        h3{margin:0 0 .5rem;font-size:1.15rem}h4{margin:1rem 0 .4rem}h5{margin:.8rem 0 .3rem;font-size:1rem}
        a{color:var(--accent)}
        code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
        code{background:var(--box);padding:.05em .3em;border-radius:4px}
        pre{background:var(--box);padding:.6rem;overflow:auto;border-radius:6px}
        .muted{color:var(--mute)}
        .op{border:1px solid var(--line);border-radius:8px;padding:1rem;margin:1rem 0;overflow-x:auto}
        .m{display:inline-block;min-width:4.2em;text-align:center;border-radius:4px;padding:0 .4em;margin-right:.4em;color:#fff;font-size:.85em;font-weight:700}
        .get{background:#1f6feb}.post{background:#1a7f37}.patch{background:#9a6700}.delete{background:#cf222e}.put{background:#8250df}
        table{border-collapse:collapse;width:100%;margin:.3rem 0}
        th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
        th{background:var(--box)}
        td td,td th{font-size:.95em}
        td{overflow-wrap:break-word}thead th,th code{white-space:nowrap}
        details{margin:.3rem 0}.nest>td{padding-left:1.5rem;border-top:0}summary{cursor:pointer}td p{margin:.1em 0}
        .resp{border-left:3px solid var(--line);padding-left:.8rem;margin:.6rem 0}
        .sec{font-size:.9em}
        nav ul{columns:2 18rem;padding-left:1.2rem}
        </style>
        </head>
        <body>
        <header>
        <h1 id="title">API documentation</h1>
        <p id="meta" class="muted"></p>
        </header>
        <nav aria-label="Operations"><h2>Operations</h2><ul id="toc"></ul></nav>
        <main id="main">
        <p id="status" role="status">Loading the OpenAPI document…</p>
        <noscript><p>This page needs JavaScript. The raw document is at <a href="openapi.json">openapi.json</a>.</p></noscript>
        </main>
        <script>
        "use strict";
        (function () {
          var main = document.getElementById("main"), status = document.getElementById("status");
          var url = new URL("openapi.json", location.href);
          var doc, shown = {};
          var REASON = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            405: "Method Not Allowed", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
            500: "Internal Server Error", 503: "Service Unavailable", 507: "Insufficient Storage"};

          function el(tag, attrs) {
            var n = document.createElement(tag);
            for (var k in attrs || {}) n.setAttribute(k, attrs[k]);
            for (var i = 2; i < arguments.length; i++) add(n, arguments[i]);
            return n;
          }
          function add(n) {
            for (var i = 1; i < arguments.length; i++) {
              var c = arguments[i];
              if (c == null || c === false) continue;
              if (Array.isArray(c)) c.forEach(function (x) { add(n, x); });
              else n.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
            }
            return n;
          }
          // Inline `code` and **bold**; blank lines separate paragraphs.
          function inline(text) {
            return String(text).split(/(`[^`]+`|\*\*[^*]+\*\*)/).map(function (part) {
              if (/^`[^`]+`$/.test(part)) return el("code", null, part.slice(1, -1));
              if (/^\*\*[^*]+\*\*$/.test(part)) return el("strong", null, part.slice(2, -2));
              return part;
            });
          }
          function md(text) {
            if (!text) return null;
            return String(text).split(/\n\s*\n/).map(function (p) { return el("p", null, inline(p)); });
          }
          function deref(o) {
            var seen = 0;
            while (o && o.$ref && seen++ < 20) {
              var parts = o.$ref.replace(/^#\//, "").split("/"), t = doc;
              parts.forEach(function (p) { t = t == null ? t : t[p.replace(/~1/g, "/").replace(/~0/g, "~")]; });
              o = t;
            }
            return o || {};
          }
          function refName(s) { return s && s.$ref ? s.$ref.split("/").pop() : null; }
          function isComplex(s) {
            s = deref(s);
            return !!(s.properties || s.oneOf || s.anyOf || s.allOf ||
              (s.type === "array" && isComplex(s.items || {})) ||
              (s.additionalProperties && typeof s.additionalProperties === "object" && isComplex(s.additionalProperties)));
          }
          function typeText(s0) {
            var name = refName(s0), s = deref(s0), t;
            if (s.oneOf || s.anyOf) t = (s.oneOf || s.anyOf).map(typeText).join(" | ");
            else if (s.type === "array") t = "array of " + typeText(s.items || {});
            else if (s.type === "object" || s.properties) {
              var ap = s.additionalProperties;
              t = !s.properties && ap && typeof ap === "object" ? "map of string → " + typeText(ap) : (name || "object");
            } else t = (s.type || "any") + (s.format ? " (" + s.format + ")" : "");
            if (s.nullable) t += " | null";
            return t;
          }
          function rules(s) {
            s = deref(s);
            var r = [];
            if (s.enum) r.push("one of: " + s.enum.map(function (v) { return JSON.stringify(v); }).join(", "));
            if (s.default !== undefined) r.push("default " + JSON.stringify(s.default));
            if (s.minLength != null) r.push("min length " + s.minLength);
            if (s.maxLength != null) r.push("max length " + s.maxLength);
            if (s.minimum != null) r.push("≥ " + s.minimum);
            if (s.maximum != null) r.push("≤ " + s.maximum);
            if (s.pattern) r.push("pattern " + s.pattern);
            if (s.additionalProperties === false) r.push("no other keys");
            return r.length ? el("div", {"class": "muted"}, r.join("; ")) : null;
          }
          // A schema as a block: a table of properties for objects, nested for inner objects.
          function schemaBlock(s0, depth, chain) {
            var name = refName(s0), s = deref(s0);
            chain = chain || [];
            if (name && chain.indexOf(name) >= 0) return el("p", null, "(", el("code", null, name), ", recursive)");
            if (name) chain = chain.concat(name);
            if (depth > 8) return el("p", null, "…");
            var box = el("div");
            if (name) {
              // A named schema is open the first time an operation shows it, folded after that.
              box = el("details", shown[name] ? null : {open: ""});
              shown[name] = true;
              add(box, el("summary", null, el("strong", null, name), s.description ? [": ", inline(s.description)] : null));
            } else if (s.description && depth === 0) add(box, md(s.description));
            var alts = s.oneOf || s.anyOf;
            if (alts) {
              add(box, el("p", null, s.oneOf ? "Exactly one of:" : "Any of:"));
              add(box, el("ol", null, alts.map(function (a) { return el("li", null, schemaBlock(a, depth + 1, chain)); })));
              return box;
            }
            if (s.allOf) { s.allOf.forEach(function (a) { add(box, schemaBlock(a, depth + 1, chain)); }); return box; }
            if (s.type === "array") {
              add(box, el("p", null, "Array of ", el("code", null, typeText(s.items || {})), ":"));
              if (isComplex(s.items || {})) add(box, schemaBlock(s.items, depth + 1, chain));
              return box;
            }
            if (s.properties) {
              var req = s.required || [];
              var body = el("tbody");
              Object.keys(s.properties).forEach(function (k) {
                var p = s.properties[k], dp = deref(p);
                add(body, el("tr", null, el("th", {scope: "row"}, el("code", null, k)), el("td", null, typeText(p)),
                  el("td", null, req.indexOf(k) >= 0 ? "yes" : "no"),
                  el("td", null, md(refName(p) && isComplex(p) ? null : dp.description), rules(p))));
                if (isComplex(p)) {
                  // Inner objects get a full-width row of their own, so nesting does not squeeze the columns.
                  var inner = dp.type === "array" ? dp.items : dp.additionalProperties && !dp.properties ? dp.additionalProperties : p;
                  add(body, el("tr", {"class": "nest"}, el("td", {colspan: "4"}, refName(inner) ? null : el("span", {"class": "muted"}, k, ":"),
                    schemaBlock(inner, depth + 1, chain))));
                }
              });
              add(box, el("table", null, el("thead", null, el("tr", null, ["Field", "Type", "Required", "Description"].map(function (h) {
                return el("th", {scope: "col"}, h);
              }))), body));
              if (s.additionalProperties && typeof s.additionalProperties === "object")
                add(box, el("p", {"class": "muted"}, "Other keys: " + typeText(s.additionalProperties)));
              else add(box, rules({additionalProperties: s.additionalProperties}));
              return box;
            }
            add(box, el("p", null, el("code", null, typeText(s0))), rules(s));
            return box;
          }
          function example(media) {
            var ex = media.example !== undefined ? media.example : deref(media.schema || {}).example;
            if (ex === undefined) return null;
            return el("details", null, el("summary", null, "Example"),
              el("pre", null, typeof ex === "string" ? ex : JSON.stringify(ex, null, 2)));
          }
          function content(c, depth) {
            return Object.keys(c || {}).map(function (type) {
              var media = c[type];
              return el("div", null, el("p", null, "Content type: ", el("code", null, type)),
                media.schema ? schemaBlock(media.schema, depth) : null, example(media));
            });
          }
          function securityNote(op) {
            var sec = op.security || doc.security || [];
            if (!sec.length) return el("p", {"class": "sec muted"}, "Authentication: none.");
            return el("p", {"class": "sec"}, "Authentication: ", sec.map(function (req, i) {
              var names = Object.keys(req);
              return [i ? " or " : "", names.length ? names.map(function (n) {
                var sch = (doc.components.securitySchemes || {})[n] || {};
                return [el("code", null, n), " (", sch.type === "http" ? "HTTP " + sch.scheme : sch.type, ")"];
              }) : "none"];
            }), ".");
          }
          function operation(path, method, item, op) {
            shown = {};
            var id = "op-" + method + "-" + path.replace(/[^A-Za-z0-9]+/g, "-");
            var sec = el("section", {"class": "op", id: id, "aria-labelledby": id + "-h"},
              el("h3", {id: id + "-h"}, el("span", {"class": "m " + method}, method.toUpperCase()), el("code", null, path)),
              op.summary ? el("p", null, el("strong", null, op.summary)) : null, md(op.description), securityNote(op));
            var params = (item.parameters || []).concat(op.parameters || []).map(deref);
            if (params.length) {
              add(sec, el("h4", null, "Parameters"));
              add(sec, el("table", null, el("thead", null, el("tr", null, ["Name", "In", "Type", "Required", "Description"].map(function (h) {
                return el("th", {scope: "col"}, h);
              }))), el("tbody", null, params.map(function (p) {
                return el("tr", null, el("th", {scope: "row"}, el("code", null, p.name)), el("td", null, p["in"]),
                  el("td", null, typeText(p.schema || {})), el("td", null, p.required ? "yes" : "no"),
                  el("td", null, md(p.description), rules(p.schema || {})));
              }))));
            }
            if (op.requestBody) {
              var rb = deref(op.requestBody);
              add(sec, el("h4", null, "Request body", rb.required ? " (required)" : " (optional)"), md(rb.description), content(rb.content, 0));
            }
            add(sec, el("h4", null, "Responses"));
            Object.keys(op.responses || {}).forEach(function (code) {
              var r = deref(op.responses[code]);
              var box = el("div", {"class": "resp"}, el("h5", null, code, REASON[code] ? " " + REASON[code] : ""), md(r.description));
              var hs = r.headers || {};
              if (Object.keys(hs).length) {
                add(box, el("table", null, el("caption", {"class": "muted"}, "Headers"),
                  el("thead", null, el("tr", null, el("th", {scope: "col"}, "Header"), el("th", {scope: "col"}, "Type"), el("th", {scope: "col"}, "Description"))),
                  el("tbody", null, Object.keys(hs).map(function (h) {
                    var hd = deref(hs[h]);
                    return el("tr", null, el("th", {scope: "row"}, el("code", null, h)), el("td", null, typeText(hd.schema || {})),
                      el("td", null, md(hd.description), hd.required ? el("div", {"class": "muted"}, "always sent") : null));
                  }))));
              }
              add(box, content(r.content, 1));
              add(sec, box);
            });
            add(document.getElementById("toc"), el("li", null, el("a", {href: "#" + id}, method.toUpperCase() + " " + path),
              op.summary ? [" — ", op.summary] : null));
            return sec;
          }
          function render(d) {
            doc = d;
            var info = d.info || {};
            document.title = (info.title || "API") + " — documentation";
            document.getElementById("title").textContent = info.title || "API documentation";
            add(document.getElementById("meta"), "Version " + (info.version || "?") + " · OpenAPI " + (d.openapi || "?") + " · ",
              el("a", {href: url.href}, "openapi.json"));
            main.removeChild(status);
            add(main, el("section", {"aria-labelledby": "about"}, el("h2", {id: "about"}, "About"), md(info.description)));
            var schemes = (d.components || {}).securitySchemes || {};
            if (Object.keys(schemes).length) {
              add(main, el("section", {"aria-labelledby": "auth"}, el("h2", {id: "auth"}, "Authentication"),
                Object.keys(schemes).map(function (n) {
                  var s = schemes[n];
                  return el("div", null, el("h3", null, el("code", null, n)),
                    el("p", null, s.type === "http" ? "HTTP " + s.scheme + ": send " : s.type + " ",
                      s.type === "http" && s.scheme === "bearer" ? el("code", null, "Authorization: Bearer <token>") : null, "."),
                    md(s.description));
                })));
            }
            var ops = el("section", {"aria-labelledby": "ops"}, el("h2", {id: "ops"}, "Endpoints"));
            Object.keys(d.paths || {}).forEach(function (path) {
              var item = d.paths[path];
              ["get", "put", "post", "patch", "delete", "head", "options"].forEach(function (m) {
                if (item[m]) add(ops, operation(path, m, item, item[m]));
              });
            });
            add(main, ops);
            if (location.hash) { var t = document.getElementById(location.hash.slice(1)); if (t) t.scrollIntoView(); }
          }
          fetch(url.href, {headers: {Accept: "application/json"}}).then(function (r) {
            if (!r.ok) throw new Error("HTTP " + r.status);
            return r.json();
          }).then(render).catch(function (e) {
            status.textContent = "Could not load " + url.href + ": " + e.message;
          });
        })();
        </script>
        </body>
        </html>
        """#
}
