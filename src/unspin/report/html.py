"""A self-contained HTML report of detection results (no external files, scripts or fonts).

Each document is shown with its suspicious spans highlighted (``<mark>``); hovering a span shows
its likely original, score and evidence. The summary table sorts by any column (click a
header); documents are listed by score, highest first.

>>> from unspin.results import Detection, Span
>>> d = Detection(0.93, [Span(4, 9, "folks", "people", 0.8, [])], 6)
>>> html = render_report([("a.txt", "The folks <b>", d)])
>>> '<mark' in html and 'title="likely original: people' in html and '&lt;b&gt;' in html
True
"""

from __future__ import annotations

import html as _html
import time

from ..errors import UnspinError

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em;border-top:1px solid #ddd;padding-top:1em}
.note{color:#555;font-size:.92em}
table{border-collapse:collapse;width:100%}th,td{padding:.3em .6em;border-bottom:1px solid #eee;text-align:left}
th{cursor:pointer;user-select:none;background:#f6f6f6}th:after{content:" \\2195";color:#aaa}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.doc{white-space:pre-wrap;background:#fcfcfc;border:1px solid #eee;padding:1em;border-radius:4px}
mark{background:#ffe08a;border-radius:2px;padding:0 1px}mark.hi{background:#ffb0a0}mark.lo{background:#fff3c4}
.badge{display:inline-block;padding:0 .5em;border-radius:3px;font-size:.9em}
.b-high{background:#ffb0a0}.b-elev{background:#ffd9a0}.b-inc{background:#eee}.b-none{background:#d8f0d8}
"""

_JS = """
document.querySelectorAll('th[data-k]').forEach(function(th){th.addEventListener('click',function(){
 var tb=th.closest('table').querySelector('tbody'),k=th.dataset.k,num=th.dataset.num==='1';
 var dir=th.dataset.dir==='asc'?'desc':'asc';th.dataset.dir=dir;
 var rows=Array.prototype.slice.call(tb.rows);
 rows.sort(function(a,b){var x=a.dataset[k],y=b.dataset[k];if(num){x=parseFloat(x);y=parseFloat(y);}
  return (x<y?-1:x>y?1:0)*(dir==='asc'?1:-1);});
 rows.forEach(function(r){tb.appendChild(r);});});});
"""


def _badge(score: float, label: str) -> str:
    cls = "b-high" if score >= 0.9 else "b-elev" if score >= 0.6 else "b-inc" if score > 0.4 else "b-none"
    return f'<span class="badge {cls}">{_html.escape(label)}</span>'


def _evidence_text(ev: list[dict]) -> str:
    parts = []
    for e in ev:
        k = e.get("kind")
        if k == "fingerprint":
            parts.append(f"fingerprint ({e.get('list')}): {e.get('entry')}")
        elif k == "restoration":
            parts.append(f"restoration {e.get('spun')} -> {e.get('original')} ({e.get('confidence')})")
        elif k == "surprisal":
            parts.append(f"'{e.get('alternative')}' fits the context {e.get('gain_nats')} nats better")
        elif k == "rare-synonym":
            parts.append(f"'{e.get('common')}' is {e.get('frequency_ratio')}x more common")
        else:
            parts.append(str(e))
    return "; ".join(parts)


def _highlight(text: str, spans) -> str:
    out, pos = [], 0
    for s in sorted(spans, key=lambda s: s.start):
        if s.start < pos:
            continue
        out.append(_html.escape(text[pos:s.start]))
        tip = f"likely original: {s.original or '(unknown)'} | score {s.score:.2f}"
        ev = _evidence_text(s.evidence)
        if ev:
            tip += " | " + ev
        cls = "hi" if s.score >= 0.5 else "lo" if s.score < 0.2 else ""
        out.append(f'<mark class="{cls}" title="{_html.escape(tip, quote=True)}">{_html.escape(text[s.start:s.end])}</mark>')
        pos = s.end
    out.append(_html.escape(text[pos:]))
    return "".join(out)


def render_report(docs, threshold: float = 0.5, title: str = "unspin detect report") -> str:
    """HTML for ``docs``: a list of (name, text, Detection)."""
    order = sorted(range(len(docs)), key=lambda i: -docs[i][2].score)
    rows, sections = [], []
    for rank, i in enumerate(order):
        name, text, d = docs[i]
        anchor = f"doc{rank}"
        esc = _html.escape(name)
        rows.append(
            f'<tr data-score="{d.score:.6f}" data-name="{_html.escape(name.lower(), quote=True)}" '
            f'data-words="{d.words}" data-spans="{len(d.spans)}">'
            f'<td class="num">{d.score:.3f}</td><td>{_badge(d.score, d.label)}</td>'
            f'<td><a href="#{anchor}">{esc}</a></td><td class="num">{d.words}</td><td class="num">{len(d.spans)}</td></tr>')
        how = ("fingerprint list only" if d.mode == "fingerprints" else
               "3-gram scan and restoration" if d.restored else "3-gram scan")
        note = f'<p class="note">Evidence: {how}.{" " + _html.escape(d.note) if d.note else ""}</p>'
        sections.append(
            f'<h2 id="{anchor}">{esc} &mdash; {d.score:.3f} {_badge(d.score, d.label)}</h2>{note}'
            f'<div class="doc">{_highlight(text, d.spans)}</div>')
    flagged = sum(1 for _, _, d in docs if d.score >= threshold)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{_html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_html.escape(title)}</h1>"
        f'<p class="note">{len(docs)} document(s), {flagged} at or above {threshold:.2f}. Generated '
        f'{_html.escape(time.strftime("%Y-%m-%d %H:%M"))}. Scores are the probability, under unspin\'s model, that '
        "the text was produced by synonym spinning: a risk marker for a person to check, not proof. "
        "Hover a highlighted span to see its likely original and the evidence.</p>"
        '<table><thead><tr><th data-k="score" data-num="1">score</th><th data-k="score" data-num="1">reading</th>'
        '<th data-k="name">document</th><th data-k="words" data-num="1">words</th>'
        '<th data-k="spans" data-num="1">spans</th></tr></thead><tbody>'
        + "".join(rows) + "</tbody></table>" + "".join(sections)
        + f"<script>{_JS}</script></body></html>\n"
    )


def write_report(path: str, docs, threshold: float = 0.5) -> None:
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(render_report(docs, threshold))
    except OSError as e:
        raise UnspinError(f"{path}: cannot write the report ({e.strerror})") from None
