"""unspin as a spaCy pipeline component (``pip install 'unspin[spacy]'``).

>>> import spacy, unspin.screening.spacy_pipe                         # doctest: +SKIP
>>> nlp = spacy.blank("en"); nlp.add_pipe("unspin")                     # doctest: +SKIP
>>> doc = nlp("The loss of life toll rose to 80, officials explained on Sunday.")  # doctest: +SKIP
>>> doc._.spin_score, [(s.text, s._.spin_original) for s in doc.spans["unspin"]]  # doctest: +SKIP

Importing this module registers the factory (an installed unspin also declares it as a
``spacy_factories`` entry point, so ``add_pipe("unspin")`` finds it without the import). The
component sets ``doc._.spin_score`` and ``doc._.spin_flagged`` and puts the suspicious spans in
the span group ``doc.spans["unspin"]`` (``spans_key``), each with ``span._.spin_original`` (its
likely original wording, "" when unknown) and ``span._.spin_prob``. The work is
:class:`unspin.annotate.Annotator`'s (the same fields as ``unspin detect`` and ``screen``), one per
process and configuration, so the models load once however many pipelines use it.
"""

from __future__ import annotations

from ..annotate import AnnotateConfig, get_annotator
from ..errors import UnspinError

try:
    from spacy.language import Language
    from spacy.tokens import Doc, Span
except ImportError:  # an extra: without it the module still imports (pytest's doctest pass does)
    Language = Doc = Span = None

__all__ = ["UnspinComponent", "make_unspin"]

if Doc is not None:
    for _name in ("spin_score", "spin_flagged"):
        if not Doc.has_extension(_name):
            Doc.set_extension(_name, default=None)
    for _name in ("spin_original", "spin_prob"):
        if not Span.has_extension(_name):
            Span.set_extension(_name, default=None)


class UnspinComponent:
    """Detects spinning in each ``Doc`` (see the module docstring for what it sets)."""

    def __init__(self, threshold: float = 0.5, spans_key: str = "unspin"):
        if Doc is None:
            raise UnspinError("spaCy is not installed: pip install 'unspin[spacy]'")
        self.annotator = get_annotator(AnnotateConfig(threshold=threshold))
        self.spans_key = spans_key

    def __call__(self, doc: "Doc") -> "Doc":
        fields = self.annotator.fields(doc.text)
        doc._.spin_score = fields["spin_score"]
        doc._.spin_flagged = fields["spin_flagged"]
        spans = []
        for s in fields["spin_spans"]:
            # unspin's offsets are code points, as spaCy's; "expand" keeps a stretch that ends
            # inside a token (spaCy's tokens are not unspin's)
            span = doc.char_span(s["start"], s["end"], alignment_mode="expand")
            if span is None:
                continue
            span._.spin_original = s["original"]
            span._.spin_prob = s["score"]
            spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


def make_unspin(nlp, name: str, threshold: float, spans_key: str) -> UnspinComponent:
    return UnspinComponent(threshold, spans_key)


if Language is not None:
    make_unspin = Language.factory("unspin", default_config={"threshold": 0.5, "spans_key": "unspin"})(make_unspin)
