"""The trace report: what :func:`unspin.tracing.search.trace` found, for a person to read.

:func:`render_text` lists each match with its aligned passages, swaps marked
``[spun -> original]``; :func:`render_html` is a self-contained page with query and source side by
side and the swapped words highlighted (escaping and styles from :mod:`unspin.report.core`).

>>> from unspin.results import AlignedPassage, Match, Piece
>>> m = Match(id="s1", score=0.5, share=1.0, passages=[AlignedPassage(0, 5, 0, 5, "folks", "people",
...           0.5, [Piece("swap", "folks", "people", 0, 5, 0, 6)])])
>>> print(render_text("q.txt", [m]), end="")
1. s1  score 0.500  100% of the query
   query : [folks -> people]
   source: people
   swaps (1): folks -> people
"""

from __future__ import annotations

import re

from ..results import Match
from .core import TRACE_CSS, escape, link


def _share_text(m: Match) -> str:
    # A mosaic's sources each account for a part of the query; a copy of one source, for all of it.
    return "" if m.share is None else f"  {round(100 * m.share)}% of the query"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _marked_query(a) -> str:
    """The query side of an aligned passage, swaps marked: the pieces with the query's own
    characters between them (punctuation next to a swapped word included)."""
    out, pos, prev_zero_width = [], a.query_start, False
    for p in a.pieces:
        gap = _one_line(a.query_text[pos - a.query_start:max(pos, p.query_start) - a.query_start])
        zero_width = p.kind == "source_only"
        if not gap and out and (zero_width or prev_zero_width):
            gap = " "  # keep "[-word]" apart from its neighbours
        if p.kind == "same":
            piece = p.query
        elif p.kind == "swap":
            piece = f"[{p.query} -> {p.source}]"
        elif p.kind == "query_only":
            piece = f"[+{p.query}]"
        else:
            piece = f"[-{p.source}]"
        out.append(gap + _one_line(piece))
        pos, prev_zero_width = max(pos, p.query_end), zero_width
    return "".join(out)


def render_text(query_name: str, matches: list[Match]) -> str:
    """Human-readable report: each match with its passages, swaps marked ``[spun -> original]``."""
    lines = []
    if not matches:
        return f"{query_name}: no likely source found\n"
    for rank, m in enumerate(matches, 1):
        head = f"{rank}. {m.id}  score {m.score:.3f}{_share_text(m)}"
        if m.url:
            head += f"  {m.url}"
        if m.date:
            head += f"  ({m.date})"
        lines.append(head)
        for a in m.passages:
            lines.append("   query : " + _marked_query(a))
            lines.append("   source: " + " ".join(a.source_text.split()))
            if len(m.passages) > 1 or a.source_start > 0:
                # which part of a long source was copied
                lines.append(f"           (source characters {a.source_start}-{a.source_end})")
        if m.swaps:
            lines.append(f"   swaps ({len(m.swaps)}): " + "; ".join(f"{p.query} -> {p.source}" for p in m.swaps[:30]))
    return "\n".join(lines) + "\n"


def render_html(query_name: str, query_text: str, matches: list[Match]) -> str:
    """A self-contained side-by-side report."""
    e = escape
    out = [f"<!doctype html><meta charset='utf-8'><title>unspin trace: {e(query_name)}</title>",
           f"<style>{TRACE_CSS}</style><h1>Sources of {e(query_name)}</h1>"]
    out.extend(matches_html(query_text, matches))
    return "\n".join(out) + "\n"


def separate_sources(matches: list[Match], limit: int = 3) -> list[Match]:
    """The best match, then any of the first ``limit`` whose evidence lies in other parts of the
    query (a mosaic's other sources), skipping near-duplicates of one already kept.

    >>> from unspin.results import AlignedPassage, Match
    >>> part = lambda a, b: AlignedPassage(a, b, 0, b - a, "", "", 0.5)
    >>> ms = [Match("a", 0.5, passages=[part(0, 50)]), Match("a-twin", 0.5, passages=[part(0, 50)]),
    ...       Match("b", 0.4, passages=[part(52, 100)])]
    >>> [m.id for m in separate_sources(ms)]
    ['a', 'b']
    """
    kept: list[Match] = []
    covered: list[tuple[int, int]] = []
    for m in matches[:limit]:
        parts = [(a.query_start, a.query_end) for a in m.passages]
        length = sum(b - a for a, b in parts)
        # passages are shown with a few words of context, so parts of a mosaic overlap a little
        shared = sum(max(0, min(b, e) - max(a, s)) for a, b in parts for s, e in covered)
        if kept and (not length or shared > length / 2):
            continue
        kept.append(m)
        covered.extend(parts)
    return kept


def matches_html(query_text: str, matches: list[Match]) -> list[str]:
    """The evidence view of each match (heading, then query and source side by side), as HTML
    pieces: the body of :func:`render_html` and the web page's "likely source" panel."""
    e = escape
    out = []
    if not matches:
        out.append("<p>No likely source found.</p>")
    for rank, m in enumerate(matches, 1):
        where = f" {link(m.url)}" if m.url else ""
        when = f" <span class='date'>({e(m.date)})</span>" if m.date else ""
        out.append(f"<h2>{rank}. {e(m.id)} <span class='score'>score {m.score:.3f}{e(_share_text(m))}</span>"
                   f"{where}{when}</h2>")
        out.append("<table><tr><th>query (spun)</th><th>source (original)</th></tr>")
        for a in m.passages:
            left, right = _side_by_side(query_text, a)
            out.append(f"<tr><td>{''.join(left)}</td><td>{''.join(right)}</td></tr>")
        out.append("</table>")
    return out


def _side_by_side(query_text: str, a) -> tuple[list[str], list[str]]:
    """HTML fragments of one aligned passage: the query side and the source side."""
    e = escape
    left, right = [], []
    lq, ls = a.query_start, a.source_start
    for p in a.pieces:
        if p.kind != "source_only":
            left.append(e(query_text[lq:p.query_start]))
            lq = p.query_end
        if p.kind != "query_only":
            right.append(e(a.source_text[ls - a.source_start:p.source_start - a.source_start]))
            ls = p.source_end
        if p.kind == "same":
            left.append(e(p.query))
            right.append(e(p.source))
        elif p.kind == "swap":
            left.append(f"<mark class='swap' title='original: {e(p.source)}'>{e(p.query)}</mark>")
            right.append(f"<mark class='swap' title='spun: {e(p.query)}'>{e(p.source)}</mark>")
        elif p.kind == "query_only":
            left.append(f"<mark class='only'>{e(p.query)}</mark>")
        else:
            right.append(f"<mark class='only'>{e(p.source)}</mark>")
    return left, right
