"""What every unspin HTML page shares: escaping and the stylesheets and script of the pages.

Both reports (:mod:`unspin.report.detect`, :mod:`unspin.report.trace`) write only escaped text
through :func:`escape` and take their look from here, so a page that shows both (the web page)
has one place to get them from.
"""

from __future__ import annotations

import html as _html
import re

# An absolute http(s) URL with nothing a browser would strip or reinterpret (whitespace and
# control characters can hide a "javascript:" scheme, e.g. "java\tscript:").
_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def escape(text: str, quote: bool = True) -> str:
    """Text for HTML content or a quoted attribute (``&``, ``<``, ``>`` and, with ``quote``,
    both quote characters)."""
    return _html.escape(text, quote=quote)


def link(url: str) -> str:
    """``url`` as a link when it is an http(s) URL, else as escaped text: a report shows URLs
    from the user's data, and a ``javascript:`` or ``data:`` link would run in the reader's browser.

    >>> link("https://example.org/a?b=1&c=2")
    '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer">https://example.org/a?b=1&amp;c=2</a>'
    >>> link("javascript:alert(1)")
    '<span class="url">javascript:alert(1)</span>'
    """
    if _WEB_URL.fullmatch(url):
        return f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(url)}</a>'
    return f'<span class="url">{escape(url)}</span>'


DETECT_CSS = """
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

# Click a header (th[data-k]) to sort the table's rows by that data attribute.
SORT_TABLE_JS = """
document.querySelectorAll('th[data-k]').forEach(function(th){th.addEventListener('click',function(){
 var tb=th.closest('table').querySelector('tbody'),k=th.dataset.k,num=th.dataset.num==='1';
 var dir=th.dataset.dir==='asc'?'desc':'asc';th.dataset.dir=dir;
 var rows=Array.prototype.slice.call(tb.rows);
 rows.sort(function(a,b){var x=a.dataset[k],y=b.dataset[k];if(num){x=parseFloat(x);y=parseFloat(y);}
  return (x<y?-1:x>y?1:0)*(dir==='asc'?1:-1);});
 rows.forEach(function(r){tb.appendChild(r);});});});
"""

TRACE_CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}td{vertical-align:top;padding:.5em;
border:1px solid #ccc;width:50%;line-height:1.5}th{text-align:left;background:#f4f4f4;padding:.4em}
mark.swap{background:#ffe08a}mark.only{background:#f7c6c6}h2{font-size:1.1em;margin-top:2em}
.score{color:#555}"""
