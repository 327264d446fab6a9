"""HTML fragments over result types, shared by the reports and the web page (``unspin serve``).

Every piece of user text goes through :func:`unspin.report.core.escape`. The ``focusable``
variants add ``tabindex="0"`` and a ``data-tip`` attribute so a keyboard user reaches each
highlight and sees its tip (the page's CSS shows ``data-tip`` on hover and on focus); without
it the markup is the one the ``--html`` reports have always written.

>>> from unspin.results import Edit, Span
>>> highlight("The folks <b>", [Span(4, 9, "folks", "people", 0.8, [])], focusable=True)
'The <mark class="hi" title="likely original: people | score 0.80" tabindex="0" data-tip="likely original: people | score 0.80">folks</mark> &lt;b&gt;'
>>> spun, restored = restoration_sides("an assault <i>", [Edit(3, 10, "assault", "attack", 0.9)])
>>> restored
'an <mark class="edit" title="spun: assault" tabindex="0" data-tip="spun: assault">attack</mark> &lt;i&gt;'
"""

from __future__ import annotations

from .core import escape


def badge(d) -> str:
    """The document's score read in plain words (:attr:`Detection.label`), coloured by risk."""
    s = d.score
    cls = ("b-inc" if d.empty else "b-high" if s >= 0.9 else "b-elev" if s >= 0.6 else "b-inc" if s > 0.4
           else "b-none")
    return f'<span class="badge {cls}">{escape(d.label)}</span>'


def score_text(d) -> str:
    # A document with no words has no score to read: its 0.5 is the prior, not a finding.
    return "&ndash;" if d.empty else f"{d.score:.3f}"


def evidence_text(ev: list[dict]) -> str:
    """A span's evidence records in one line of words."""
    parts = []
    for e in ev:
        k = e.get("kind")
        if k == "fingerprint":
            parts.append(f"fingerprint ({e.get('list')}): {e.get('entry')}")
        elif k == "restoration":
            parts.append(f"restoration {e.get('spun')} -> {e.get('original')} ({e.get('confidence')})")
        elif k == "surprisal":
            via = f" ({', '.join(e['from'])})" if e.get("from") else ""
            parts.append(f"'{e.get('alternative')}'{via} fits the context {e.get('gain_nats')} nats better")
        elif k == "rare-synonym":
            parts.append(f"'{e.get('common')}' is {e.get('frequency_ratio')}x more common")
        elif k == "phrase":
            parts.append(f"'{e.get('phrase')}' reads {e.get('gain_nats')} nats better as '{e.get('alternative')}'")
        else:
            parts.append(str(e))
    return "; ".join(parts)


def _tip_attrs(tip: str, focusable: bool) -> str:
    attrs = f' title="{escape(tip, quote=True)}"'
    if focusable:
        attrs += f' tabindex="0" data-tip="{escape(tip, quote=True)}"'
    return attrs


def highlight(text: str, spans, focusable: bool = False) -> str:
    """``text`` with each suspicious span in a ``<mark>`` classed by score (``hi`` >= 0.5,
    ``lo`` < 0.2) whose tip gives the likely original, the score and the evidence."""
    out, pos = [], 0
    for s in sorted(spans, key=lambda s: s.start):
        if s.start < pos:
            continue
        out.append(escape(text[pos:s.start]))
        tip = f"likely original: {s.original or '(unknown)'} | score {s.score:.2f}"
        ev = evidence_text(s.evidence)
        if ev:
            tip += " | " + ev
        cls = "hi" if s.score >= 0.5 else "lo" if s.score < 0.2 else ""
        out.append(f'<mark class="{cls}"{_tip_attrs(tip, focusable)}>{escape(text[s.start:s.end])}</mark>')
        pos = s.end
    out.append(escape(text[pos:]))
    return "".join(out)


def restoration_sides(text: str, edits, focusable: bool = True) -> tuple[str, str]:
    """The spun text and the restored text as HTML, each edit marked on both sides (the spun
    wording tipped with its original and the other way round)."""
    spun, restored, pos = [], [], 0
    for e in sorted(edits, key=lambda e: e.start):
        if e.start < pos:
            continue
        same = escape(text[pos:e.start])
        spun.append(same)
        restored.append(same)
        spun.append(f'<mark class="edit"{_tip_attrs("original: " + e.original, focusable)}>{escape(e.spun)}</mark>')
        restored.append(f'<mark class="edit"{_tip_attrs("spun: " + e.spun, focusable)}>{escape(e.original)}</mark>')
        pos = e.end
    tail = escape(text[pos:])
    return "".join(spun) + tail, "".join(restored) + tail
