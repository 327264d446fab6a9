"""The detect report: a self-contained HTML page of detection results (no external files,
scripts or fonts; escaping and styles from :mod:`unspin.report.core`).

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

import time

from ..inputs.textio import open_output
from .core import DETECT_CSS, SORT_TABLE_JS, escape
from .views import badge, highlight, score_text


def render_report(docs, threshold: float = 0.5, title: str = "unspin detect report") -> str:
    """HTML for ``docs``: a list of (name, text, Detection)."""
    order = sorted(range(len(docs)), key=lambda i: -docs[i][2].score)
    rows, sections = [], []
    for rank, i in enumerate(order):
        name, text, d = docs[i]
        anchor = f"doc{rank}"
        esc = escape(name)
        rows.append(
            f'<tr data-score="{d.score:.6f}" data-name="{escape(name.lower(), quote=True)}" '
            f'data-words="{d.words}" data-spans="{len(d.spans)}">'
            f'<td class="num">{score_text(d)}</td><td>{badge(d)}</td>'
            f'<td><a href="#{anchor}">{esc}</a></td><td class="num">{d.words}</td><td class="num">{len(d.spans)}</td></tr>')
        how = ("fingerprint list only" if d.mode == "fingerprints" else
               "3-gram scan and restoration" if d.restored else "3-gram scan")
        note = f'<p class="note">Evidence: {how}.{" " + escape(d.note) if d.note else ""}</p>'
        sections.append(
            f'<h2 id="{anchor}">{esc} &mdash; {score_text(d)} {badge(d)}</h2>{note}'
            f'<div class="doc">{highlight(text, d.spans)}</div>')
    flagged = sum(1 for _, _, d in docs if d.flagged(threshold))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>{DETECT_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<p class="note">{len(docs)} document(s), {flagged} flagged (score at or above {threshold:.2f}). Generated '
        f'{escape(time.strftime("%Y-%m-%d %H:%M"))}. Scores are the probability, under unspin\'s model, that '
        "the text was produced by synonym spinning: a risk marker for a person to check, not proof. "
        "Hover a highlighted span to see its likely original and the evidence.</p>"
        '<table><thead><tr><th data-k="score" data-num="1">score</th><th data-k="score" data-num="1">reading</th>'
        '<th data-k="name">document</th><th data-k="words" data-num="1">words</th>'
        '<th data-k="spans" data-num="1">spans</th></tr></thead><tbody>'
        + "".join(rows) + "</tbody></table>" + "".join(sections)
        + f"<script>{SORT_TABLE_JS}</script></body></html>\n"
    )


def write_report(path: str, docs, threshold: float = 0.5) -> None:
    """Write the report to ``path``, replacing an old one only once it is complete."""
    with open_output(path) as f:
        f.write(render_report(docs, threshold))
