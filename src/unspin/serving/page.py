"""The web page at ``/``: one self-contained HTML document (inline CSS, no script, no external
asset), rendered on the server with the reports' fragments (:mod:`unspin.report.views`,
:func:`unspin.report.trace.matches_html`), so every piece of user text is escaped in one place.

The view toggle (spun / restored / side by side) is three radio buttons and CSS: it works from
the keyboard (Tab to the group, arrow keys to switch) and without JavaScript, which the page's
Content-Security-Policy forbids outright.

>>> "<textarea" in render_page(has_index=False, needs_key=False, text="<b>")
True
>>> "&lt;b&gt;</textarea>" in render_page(has_index=False, needs_key=False, text="<b>")
True
"""

from __future__ import annotations

import json

from ..report.core import DETECT_CSS, escape
from ..report.trace import matches_html, separate_sources
from ..report.views import badge, highlight, restoration_sides, score_text

# No script may run on the page, and nothing is fetched from anywhere.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

PAGE_CSS = """
body{max-width:80em}
label{font-weight:600}textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5em}
form p{margin:.6em 0}button{font:inherit;padding:.35em 1.2em}
:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.error{background:#fde2e2;border:1px solid #e0a0a0;padding:.5em 1em;border-radius:4px}
.risk{font-size:1.1em}.risk .badge{font-size:1em;padding:.1em .6em}
.layout{display:grid;grid-template-columns:minmax(0,1fr);gap:1.5em}
.layout.with-sources{grid-template-columns:minmax(0,3fr) minmax(0,2fr)}
.viewer>input{position:absolute;opacity:0}
.viewer>label{display:inline-block;padding:.25em .8em;border:1px solid #bbb;border-radius:3px;cursor:pointer;font-weight:400}
.viewer>input:checked+label{background:#1a5fb4;color:#fff;border-color:#1a5fb4}
.viewer>input:focus-visible+label{outline:3px solid #1a5fb4;outline-offset:2px}
.pane{display:none;margin-top:.8em}
#v-spun:checked~.p-spun,#v-restored:checked~.p-restored,#v-diff:checked~.p-diff{display:block}
.diff{display:grid;grid-template-columns:1fr 1fr;gap:1em}.diff h3{font-size:1em;margin:.2em 0}
mark{position:relative}mark.edit{background:#cfe8ff}
mark[data-tip]:hover::after,mark[data-tip]:focus::after{content:attr(data-tip);position:absolute;left:0;top:1.6em;
z-index:2;background:#222;color:#fff;padding:.3em .5em;border-radius:3px;font-size:.85em;white-space:normal;width:22em}
.sources table{border-collapse:collapse;width:100%;margin-bottom:1em}.sources td{vertical-align:top;padding:.4em;
border:1px solid #ccc;width:50%;font-size:.92em}.sources th{background:#f4f4f4}.sources h2{font-size:1em}
mark.swap{background:#ffe08a}mark.only{background:#f7c6c6}
"""

_INTRO = ("Paste a text or upload a .txt, .html or .pdf file. unspin scores how likely it was produced by "
          "synonym spinning, highlights the suspicious words (hover or focus one for its likely original) "
          "and restores the likely original wording. The score is a risk marker for a person to check, "
          "not proof.")


def render_page(*, has_index: bool, needs_key: bool, text: str = "", name: str = "", analysis=None,
                error: str = "") -> str:
    """The whole page: the form (refilled with ``text``), an error line, and the analysis."""
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1"><title>unspin</title>'
        f"<style>{DETECT_CSS}{PAGE_CSS}</style></head><body>",
        "<header><h1>unspin</h1>"
        f'<p class="note">{_INTRO}{" Likely sources are looked up in the server&#39;s index." if has_index else ""}'
        ' API: <a href="/docs">/docs</a>.</p></header><main>',
        _form(text, needs_key),
    ]
    if error:
        parts.append(f'<p class="error" role="alert">{escape(error)}</p>')
    if analysis is not None:
        parts.append(_results(name, analysis))
    parts.append("</main></body></html>\n")
    return "".join(parts)


def _form(text: str, needs_key: bool) -> str:
    key = ('<p><label for="api_key">API key</label> '
           '<input type="password" id="api_key" name="api_key" autocomplete="current-password"></p>'
           if needs_key else "")
    return (
        '<form method="post" action="/" enctype="multipart/form-data">'
        '<p><label for="text">Text</label><br>'
        f'<textarea id="text" name="text" rows="10" spellcheck="false">{escape(text, quote=False)}</textarea></p>'
        '<p><label for="file">or a file</label> '
        '<input type="file" id="file" name="file" accept=".txt,.text,.md,.html,.htm,.xhtml,.pdf"></p>'
        f'{key}<p><button type="submit">Check</button></p></form>'
    )


def _results(name: str, a) -> str:
    d, r = a.detection, a.restoration
    spun_side, restored_side = restoration_sides(a.text, r.edits)
    flagged = sum(1 for s in d.spans if s.score >= 0.5)
    risk = (f'<p class="risk">Risk: {badge(d)} score <strong>{score_text(d)}</strong> '
            f'<span class="note">({d.words} words, {len(d.spans)} suspicious spans, {flagged} of them likely, '
            f'{len(r.edits)} words restored)</span></p>')
    viewer = (
        '<div class="viewer" role="radiogroup" aria-label="Show">'
        '<input type="radio" name="view" id="v-spun" checked><label for="v-spun">Spun text, highlighted</label> '
        '<input type="radio" name="view" id="v-restored"><label for="v-restored">Restored text</label> '
        '<input type="radio" name="view" id="v-diff"><label for="v-diff">Side by side</label>'
        f'<div class="pane p-spun doc" id="spun">{highlight(a.text, d.spans, focusable=True)}</div>'
        f'<div class="pane p-restored doc" id="restored">{restored_side}</div>'
        '<div class="pane p-diff diff" id="diff">'
        f'<div><h3>Spun</h3><div class="doc">{spun_side}</div></div>'
        f'<div><h3>Restored</h3><div class="doc">{restored_side}</div></div></div></div>'
    )
    text_col = f'<section aria-label="Text">{viewer}</section>'
    sources = ""
    if a.matches is not None:
        # a text copied from several sources (a mosaic) shows each, not near-duplicates of one
        shown = separate_sources(a.matches)
        title = "Likely sources" if len(shown) > 1 else "Likely source"
        sources = (f'<aside class="sources" aria-label="Likely sources"><h2>{title}</h2>'
                   + "\n".join(matches_html(a.text, shown)) + "</aside>")
    layout = "layout with-sources" if sources else "layout"
    return (f'<section id="result" aria-label="Result"><h2>{escape(name)}</h2>{risk}'
            f'<div class="{layout}">{text_col}{sources}</div></section>')


def docs_page(openapi: dict) -> str:
    """The API's routes and schemas as a plain page (the usual Swagger UI loads its code from a
    CDN; this one works offline). The machine-readable description is at /openapi.json."""
    rows = []
    for path, ops in openapi.get("paths", {}).items():
        for method, op in ops.items():
            rows.append(f"<h2><code>{escape(method.upper())} {escape(path)}</code></h2>"
                        f"<p>{escape(op.get('description') or op.get('summary') or '')}</p>")
    schemas = json.dumps(openapi.get("components", {}).get("schemas", {}), indent=2)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>unspin API</title>"
            f"<style>{DETECT_CSS}</style></head><body><h1>unspin API {escape(openapi.get('info', {}).get('version', ''))}"
            f"</h1><p>{escape(openapi.get('info', {}).get('description', ''))} "
            'OpenAPI: <a href="/openapi.json">/openapi.json</a>.</p>'
            + "".join(rows) + f"<h2>Schemas</h2><pre>{escape(schemas)}</pre></body></html>\n")
