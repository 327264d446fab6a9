"""Restore: the most likely original wording of spun text, with every edit explained.

The pipeline, top to bottom: text -> tokens with offsets (:mod:`unspin.lang.tokenize`) ->
candidate originals from every source (:mod:`unspin.restoration.sources`, merged by
:mod:`unspin.restoration.candidates`) -> channel scores (:mod:`unspin.restoration.channel`) ->
lattice, decoded per sentence (:mod:`unspin.restoration.decode`) -> edits with offsets,
confidence and evidence -> restored text.

>>> r = restore("One resident mentioned at the least 12 folks have been killed within the assault.")
>>> [(e.spun, e.original) for e in r.edits]
[('within', 'in')]
>>> apply_edits(r.input, r.edits) == r.text
True
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources

from .candidates import CandidateGenerator
from .channel import Channel, Weights
from .decode import Decoder
from .decode import Choice
from .document import BOLD_MIN_WORDS, BOLDNESS, SKIP_BELOW, UNSUPPORTED_SHARE, EditModel, Gate, decide, positions, ties
from ..lang.words import FUNCTION_WORDS
from ..lang.formdata import get_formdata
from ..lang.lexicon import MOBY_HEAD_LISTS_SPUN, WORDNET_SYNONYM, get_lexicon
from ..lang.lm import get_lm, lm_form
from ..lang.words import match_case
from ..results import Edit, Restoration, apply_edits
from .sources import CandidateSource
from .sources.fingerprint import FingerprintSource
from .sources.ppdb import PpdbSource
from .sources.phrases import PhraseSource
from .sources.ppswords import PpsWordSource, load_pairs
from .sources.table import TableSource
from .sources.terms import TermSource
from .sources.thesaurus import ThesaurusSource
from .table import SubstitutionTable
from ..lang.tokenize import Token, is_sentence_initial, joinable, sentences, tokenize
from ..lang.windows import fits, text_windows

__all__ = ["RestoreConfig", "Restorer", "restore", "restore_many", "apply_edits"]


@dataclass(frozen=True)
class RestoreConfig:
    """Options of :func:`restore`. Frozen, so one configured pipeline is built per process."""

    fingerprints: bool = True            # use the tortured-phrase fingerprint list
    terms: bool = True                   # compose multi-word spans towards the term list (sources/terms.py)
    # Also read single words through the tortured-phrase list's word swaps (sources/ppswords.py):
    # for scientific papers. Off by default: in news it costs repair, in clean technical text it
    # changes words that are the field's own ("information" -> data; docs/restore.md).
    pps_words: bool = False
    # ... and turn them on by themselves for a window that holds a tortured phrase of the list:
    # a paper mill's spinner leaves listed and unlisted ones alike (docs/restore.md).
    auto_papers: bool = True
    learned_table: bool = True           # use the substitution table learned from aligned pairs
    backend: str = "ngram"               # "ngram", or a neural re-scorer spec ("gguf", "hf:NAME")
    threshold: float = 0.0               # extra evidence an edit needs (natural-log units)
    weights: tuple = field(default_factory=tuple)  # (name, value) overrides of channel.Weights
    document: bool = True                # gate by the detector and decode as boldly as the document is likely spun
    edit_model: str = ""                 # a file of edit models to decide a document's edits (experimental)


def _data(name: str):
    return resources.files("unspin") / "data" / name


@functools.lru_cache(maxsize=1)
def shipped_table() -> SubstitutionTable:
    return SubstitutionTable.load(_data("table.json"))


@functools.lru_cache(maxsize=1)
def shipped_weights() -> dict:
    try:
        return json.loads(_data("weights.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def build_sources(config: RestoreConfig, table: SubstitutionTable | None) -> list[CandidateSource]:
    """The candidate sources besides the thesaurus, in the order their evidence is named
    (register a new source here: :mod:`unspin.restoration.sources`)."""
    return [
        FingerprintSource.shipped() if config.fingerprints else FingerprintSource(),
        TableSource(table),
        PpdbSource(),
        PhraseSource.shipped(),
        # The term source reads the list's word swaps as links in every mode; what they earn a
        # composition depends on the papers option (TermSource.papers).
        TermSource.shipped(load_pairs(), papers=config.pps_words) if config.terms else TermSource(),
        PpsWordSource.shipped() if config.pps_words else PpsWordSource(),
    ]


def _names_span(words: list[str], spans: set) -> bool:
    """Whether some run of ``words`` is one of ``spans`` (word tuples)."""
    longest = max(map(len, spans), default=0)
    for i in range(len(words)):
        for n in range(1, min(longest, len(words) - i) + 1):
            if tuple(words[i:i + n]) in spans:
                return True
    return False


@dataclass(slots=True)
class _Sentence:
    tokens: list[Token]
    words: list[str]      # LM forms
    joins: list[bool]     # may a phrase cover tokens i and i+1
    protected: list[bool]  # names, numbers, acronyms: only exact evidence edits them

    def spun(self, ch) -> tuple[str, ...]:
        return tuple(self.words[ch.start:ch.start + ch.n])


class Restorer:
    """A configured pipeline; build once per process (``get_restorer``) and reuse."""

    def __init__(self, config: RestoreConfig = RestoreConfig(), table: SubstitutionTable | None = None,
                 weights: Weights | None = None):
        self.config = config
        if table is None and config.learned_table:
            table = shipped_table()
        thesaurus = ThesaurusSource(get_lexicon(), min_zipf=Channel.MIN_ZIPF - 1.0,
                                    need_flags=MOBY_HEAD_LISTS_SPUN | WORDNET_SYNONYM)
        self.generator = CandidateGenerator(thesaurus, build_sources(config, table))
        if weights is None:
            base = dict(shipped_weights())
            base.update(dict(config.weights))
            weights = Weights.from_dict(base)
        weights = dataclasses.replace(weights, bias=weights.bias - config.threshold)
        self.weights = weights
        self.channel = Channel(get_lm(), self.generator, weights)
        self.decoder = Decoder(get_lm(), self.channel)
        # The document decoder's proposals: more candidates, for its edit models to judge.
        self.proposer = Decoder(get_lm(), self.channel, max_candidates=EditModel.CANDIDATES, wide=True)
        # Candidates the channel would find implausible are not generated (speed only).
        self.channel.prefilter_generator()
        # Single words' priors precomputed for the default pipeline (speed only: the form
        # data's prior section, computed by these very functions; the channel checks the
        # weights, limits and data files, this the sources' configuration).
        if (config.fingerprints and not config.pps_words and table is not None and table is shipped_table()
                and self.channel.lm.shipped and thesaurus.lexicon.shipped):
            self.channel.use_stored(get_formdata())
        self.rescorer = None
        self.gate = Gate(self, config.fingerprints) if config.document else None
        self.edit_model = EditModel.load(config.edit_model) if config.document and config.edit_model else None
        self.edit_pool = self.edit_model.pool if self.edit_model is not None else EditModel.POOL
        self._swap_index: tuple | None = None  # (table, its spun-side prefixes): learned_swaps
        self._listed_firsts: tuple = (None, frozenset())  # (phrase table, first words): listed_phrases
        # Which context model decided, named in every edit's evidence.
        self.model_label = "lm:3-gram" if config.backend == "ngram" else f"lm:3-gram+{config.backend}"
        if config.backend != "ngram":
            from .rescore import NeuralRescorer

            self.rescorer = NeuralRescorer(config.backend, self.decoder)

    def restore(self, text: str) -> Restoration:
        """Restore ``text``; a text longer than a window (:mod:`unspin.lang.windows`) is restored
        window by window, so memory does not grow with it (edits keep whole-text offsets)."""
        if fits(text):
            return self._restore_window(text)
        edits = []
        for offset, window in text_windows(text):
            if window.strip():
                edits.extend(dataclasses.replace(ed, start=ed.start + offset, end=ed.end + offset)
                             for ed in self._restore_window(window).edits)
        return Restoration(input=text, text=apply_edits(text, edits), edits=edits)

    # Once a first pass finds edits at this rate (edits per word, at least two), the text is
    # decoded again with every edit this much cheaper.
    SPUN_DOC_RATE = 0.04
    SPUN_DOC_BOOST = 2.0

    def _restore_window(self, text: str, document: bool = True, neural: bool = True) -> Restoration:
        """Restore one window. With ``document`` (and ``RestoreConfig.document``): the detector's
        gate first (:mod:`unspin.restoration.document`): a document it calls clean is left as
        it is, any other is decoded as boldly as it is likely spun; by the lattice, or by the
        edit models when ``RestoreConfig.edit_model`` names a file. Without: the lattice alone,
        with its conservative edit cost (the detector's sentence-level restoration)."""
        tokens = tokenize(text)
        paper = self._paper_pipeline(tokens)
        if paper is not None:
            return _as_paper(paper._restore_window(text, document, neural))
        if not document or self.gate is None:
            return self._lattice(text, tokens, self._sentences(text, tokens), 0.0, [], neural=neural)
        if self.edit_model is not None:
            return self._restore_with_model(text, tokens)
        p_spun = self.gate.p_spun(text, tokens) if tokens else None
        if p_spun is None or p_spun < SKIP_BELOW:
            return Restoration(input=text, text=text, edits=[])
        return self._decode_at(text, p_spun, tokens, neural)

    # Listed tortured phrases that make a window a paper mill's (RestoreConfig.auto_papers), and
    # the longest looked for (longer ones are rare: 2 % of the list's entries).
    PAPERS_AT = 1
    LISTED_MAX_WORDS = 6

    @functools.cached_property
    def papers(self) -> "Restorer | None":
        """This pipeline with the list's word swaps on (the papers option), for the windows that
        hold a listed tortured phrase (``auto_papers``); None when it has them on already, or
        has no list to find such phrases with."""
        if not self._may_switch:
            return None
        c = self.config
        other = Restorer(dataclasses.replace(c, pps_words=True), table=self.generator.table)
        # The same list as this one's (an evaluation may have set a fold's)
        other.generator._by_name["fingerprint"].phrases = self.generator._by_name["fingerprint"].phrases
        return other

    def _paper_pipeline(self, tokens: list[Token]) -> "Restorer | None":
        """:attr:`papers` when ``tokens`` hold a listed tortured phrase (and the option is on);
        the papers pipeline is built on the first window that needs it, not before."""
        if self._may_switch and self.listed_phrases(tokens) >= self.PAPERS_AT:
            return self.papers
        return None

    @property
    def _may_switch(self) -> bool:
        c = self.config
        return c.auto_papers and not c.pps_words and c.fingerprints

    def listed_phrases(self, tokens: list[Token]) -> int:
        """How many spans of ``tokens`` are tortured phrases of the fingerprint list."""
        phrases = self.generator._by_name["fingerprint"].phrases
        if not phrases:
            return 0
        firsts = self._listed_firsts
        if firsts[0] is not phrases:  # (a fold's list may replace the table)
            firsts = self._listed_firsts = (phrases, frozenset(k[0] for k in phrases))
        firsts = firsts[1]
        words = [t.lower for t in tokens]
        n, i = 0, 0
        while i < len(words):
            if words[i] not in firsts:  # nearly every word: no listed phrase starts with it
                i += 1
                continue
            for k in range(min(self.LISTED_MAX_WORDS, len(words) - i), 1, -1):
                if tuple(words[i:i + k]) in phrases:
                    n += 1
                    i += k - 1
                    break
            i += 1
        return n

    def restore_at(self, text: str, p_spun: float, tokens: list[Token] | None = None,
                   neural: bool = True) -> Restoration:
        """Document decoding of one window as bold as ``p_spun`` (the gate's P(spun), when the
        caller already has it: the detector, whose spans of a spun document are these edits)
        says. ``neural=False``: the 3-gram alone, whatever the backend."""
        if tokens is None:
            tokens = tokenize(text)
        paper = self._paper_pipeline(tokens)
        if paper is not None:
            return _as_paper(paper.restore_at(text, p_spun, tokens, neural))
        return self._decode_at(text, p_spun, tokens, neural)

    def _decode_at(self, text: str, p_spun: float, tokens: list[Token], neural: bool) -> Restoration:
        bold = BOLDNESS * max(0.0, 2 * p_spun - 1) if len(tokens) >= BOLD_MIN_WORDS else 0.0
        return self._lattice(text, tokens, self._sentences(text, tokens), bold, [f"doc:spun={p_spun:.2f}"],
                             tie=True, neural=neural)

    def _lattice(self, text: str, tokens: list[Token], sents: list, boost: float, notes: list[str],
                 tie: bool = False, neural: bool = True) -> Restoration:
        """Decode sentence by sentence with every edit ``boost`` cheaper; once edits come at a
        spinner's rate, once more with the document boost (``SPUN_DOC_RATE``). ``tie``: then
        once more with the swaps the document repeats (:func:`unspin.restoration.document.ties`)."""
        # Boldness from the gate goes in full to candidates a source besides the thesaurus vouches
        # for, and only in part to thesaurus-only ones (Moby lists hundreds of neighbours).
        share = UNSUPPORTED_SHARE if tie else 1.0
        if boost > 0:  # shown spun by the gate: as the rate check below would find
            boost += self.SPUN_DOC_BOOST
        # A neural backend re-decides a document's doubtful places once, at the end, in restored
        # context (NeuralRescorer.rerank); a window decoded without the document re-scores
        # every pass's candidates in spun context (NeuralRescorer.rescore).
        rerank = self.rescorer is not None and tie and neural
        decode = self._decode_sentence if neural and not rerank else self.decoder.decode
        choices = [decode(s.words, s.joins, s.protected, boost, None, share) for s in sents]
        last_share = share  # the unsupported share the current choices were decoded with
        if boost <= 0 and sum(map(len, choices)) >= max(2, self.SPUN_DOC_RATE * len(tokens)):
            boost += self.SPUN_DOC_BOOST
            choices = [decode(s.words, s.joins, s.protected, boost) for s in sents]
            last_share = 1.0
        tied: dict = {}
        bonus = None
        if tie:
            bonus, tied = ties([(s.spun(ch), ch.words) for s, chs in zip(sents, choices) for ch in chs])
            if bonus:
                # A sentence with no span the bonus names decodes as it did (the bonus only
                # lowers the pruning bar, and what that admits cannot pass it: Decoder.options),
                # so only the others are decoded again.
                same = self.rescorer is None and last_share == share
                spans = {k[0] for k in bonus}
                choices = [chs if same and not _names_span(s.words, spans)
                           else decode(s.words, s.joins, s.protected, boost, bonus, share)
                           for s, chs in zip(sents, choices)]
        if rerank:
            choices = [self.rescorer.rerank(s.words, s.joins, s.protected, chs, boost, bonus or None, share)
                       for s, chs in zip(sents, choices)]
        edits = [e for s, chs in zip(sents, choices) for e in self._edits(text, s, chs, notes, tied)]
        return Restoration(input=text, text=apply_edits(text, edits), edits=edits)

    def propose(self, text: str, tokens: list[Token] | None = None):
        """The document's positions with candidates (:func:`unspin.restoration.document.positions`),
        with the sentences and P(spun): what the edit models decide on, and are fitted on."""
        if tokens is None:
            tokens = tokenize(text)
        sents = self._sentences(text, tokens)
        p_spun, token_p = self.gate(text) if tokens else (None, [])
        if p_spun is None or p_spun < SKIP_BELOW:
            return sents, [], p_spun
        at = {t.start: k for k, t in enumerate(tokens)}
        tp = [[token_p[at[t.start]] for t in s.tokens] for s in sents]
        pool = self.edit_pool
        rows = [self.proposer.options(s.words, s.joins, s.protected, pool) for s in sents]
        found = positions(rows, [s.words for s in sents], tp, p_spun, pool, self.weights.bias,
                          FUNCTION_WORDS, self.channel.features)
        return sents, found, p_spun

    def _restore_with_model(self, text: str, tokens: list[Token]) -> Restoration:
        sents, found, p_spun = self.propose(text, tokens)
        self.edit_model.score(found)
        by_sentence: dict[int, list] = {}
        tied = {}
        for pos, k, right in sorted(decide(found), key=lambda x: (x[0].sentence, x[0].options[x[1]].start)):
            o = pos.options[k]
            margin = math.log(max(right, 1e-9) / max(1.0 - right, 1e-9))
            by_sentence.setdefault(pos.sentence, []).append(Choice(o.start, o.n, o.words, o.candidate, margin))
            n = round(math.exp(pos.candidate[k]["tie"]))
            if n > 1:
                tied[(pos.spuns[k], o.words)] = f"doc:tied={n}"
        doc_notes = [f"doc:spun={p_spun:.2f}"] if p_spun is not None else []
        edits = [e for k, s in enumerate(sents)
                 for e in self._edits(text, s, by_sentence.get(k, []), doc_notes, tied)]
        return Restoration(input=text, text=apply_edits(text, edits), edits=edits)

    def _sentences(self, text: str, tokens: list[Token]) -> list["_Sentence"]:
        return [self._sentence(text, s) for s in sentences(tokens, text)]

    def _sentence(self, text: str, toks: list[Token]) -> "_Sentence":
        words = [lm_form(t) for t in toks]
        # A span may also cross a hyphen: "man-made reasoning" is one tortured phrase (the list's
        # sides are split at hyphens too). The detector's scan keeps its own rule (joinable).
        joins = [joinable(text, a, b) or text[a.end:b.start] == "-" for a, b in zip(toks, toks[1:])]
        protected = []
        for t in toks:
            mid_capital = t.text[:1].isupper() and not is_sentence_initial(text, t.start)
            protected.append(t.is_number or mid_capital or (len(t.text) > 1 and t.text.isupper()))
        return _Sentence(toks, words, joins, protected)

    def _decode_sentence(self, words, joins, protected, boost: float, bonus: dict | None = None,
                         unsupported: float = 1.0) -> list:
        if self.rescorer is not None:
            return self.rescorer.rescore(words, joins, protected, boost, bonus, unsupported)
        return self.decoder.decode(words, joins, protected, boost, bonus, unsupported)

    def _edits(self, text: str, s: "_Sentence", choices, doc_notes: list[str], tied: dict) -> list[Edit]:
        toks = s.tokens
        edits = []
        for ch in choices:
            span = toks[ch.start:ch.start + ch.n]
            spun_words = [t.lower for t in span]
            # A word the choice keeps is written as the text spells it, not as the LM's form
            # ("metres", scored as meters: lang.spelling).
            respell = {f: w for f, w in zip(s.spun(ch), spun_words) if f != w and w.isalpha()}
            orig_words = [respell.get(w, w) for w in ch.words]
            # Report the smallest edit: "at the least" -> "at least" is "the least" -> "least".
            lo = 0
            while (lo < len(spun_words) - 1 and lo < len(orig_words) - 1
                   and spun_words[lo] == orig_words[lo]):
                lo += 1
            hi = 0
            while (hi < len(spun_words) - lo - 1 and hi < len(orig_words) - lo - 1
                   and spun_words[-1 - hi] == orig_words[-1 - hi]):
                hi += 1
            span = span[lo:len(span) - hi]
            orig_words = orig_words[lo:len(orig_words) - hi]
            start, end = span[0].start, span[-1].end
            spun_text = text[start:end]
            original = match_case(" ".join(orig_words), spun_text)
            if "’" in spun_text:
                original = original.replace("'", "’")
            if original == spun_text:
                continue
            confidence = 1.0 / (1.0 + math.exp(-ch.margin))
            note = tied.get((s.spun(ch), ch.words))
            evidence = (self.generator.evidence(ch.candidate) + [self.model_label] + doc_notes
                        + ([note] if note else []))
            edits.append(Edit(start, end, spun_text, original, round(confidence, 4), evidence))
        return edits

    # -- for the detector: restoration as evidence ---------------------------------------
    def restore_spans(self, text: str, spans: Iterable[tuple[int, int]]) -> list[Edit]:
        """Edits of :meth:`restore` run on each (start, end) character span of ``text`` on its
        own (blank ones skipped), with offsets into ``text``: the detector restores only the
        sentences its scan gates (without document decoding: the detector has its own say on
        the document; and with the 3-gram alone, whatever the backend: the gate of a neural
        restorer must not wait for the neural model)."""
        out = []
        for s, e in spans:
            sub = text[s:e]
            if sub.strip():
                found = (self._restore_window(sub, document=False, neural=False) if fits(sub)
                         else self.restore(sub))
                out.extend(dataclasses.replace(ed, start=ed.start + s, end=ed.end + s) for ed in found.edits)
        return out

    def learned_swaps(self, text: str, tokens: list[Token], words: list[str] | None = None, *,
                      min_gain: float) -> int:
        """Positions of ``text`` where a swap of the learned substitution table (real spinners'
        habits) reads better undone: the 3-gram scores the original, with the two words before
        and after, at least ``min_gain`` nats above the text as it is. ``words``: the tokens' LM
        forms (:func:`unspin.lang.lm.lm_form`), when the caller has them. 0 without a table."""
        gen = self.generator
        table = gen.table
        if table is None:
            return 0
        prefixes = self._swap_prefixes(table)
        lm = self.decoder.lm
        toks = tokens
        if words is None:
            words = [lm_form(t) for t in toks]
        hits = 0
        for i, w in enumerate(words):
            if (w,) not in prefixes:
                continue  # most words start no learned swap
            p1 = words[i - 1] if i >= 1 else "<s>"
            p2 = words[i - 2] if i >= 2 else "<s>"
            for n in range(1, gen.max_words + 1):
                if i + n > len(words) or (n > 1 and not joinable(text, toks[i + n - 2], toks[i + n - 1])):
                    break
                spun = tuple(words[i:i + n])
                if spun not in prefixes:
                    break
                origs = table.lookup(spun)
                if not origs:
                    continue
                follow = words[i + n:i + n + 2]
                base = lm.sequence(list(spun) + follow, p1, p2)
                if any(lm.sequence(list(o) + follow, p1, p2) - base >= min_gain for o, _ in origs):
                    hits += 1
                    break
        return hits

    def _swap_prefixes(self, table) -> frozenset:
        """Every leading part of the table's spun sides (cached per table)."""
        got = self._swap_index
        if got is None or got[0] is not table:
            got = self._swap_index = (table, frozenset(k[:m] for k in table.spun_sides() for m in range(1, len(k) + 1)))
        return got[1]


@functools.lru_cache(maxsize=8)
def get_restorer(config: RestoreConfig = RestoreConfig()) -> Restorer:
    return Restorer(config)


def _as_paper(got: Restoration) -> Restoration:
    """``got`` with each edit naming the reason its window was read as a paper's."""
    edits = [dataclasses.replace(ed, evidence=list(ed.evidence) + ["doc:papers"]) for ed in got.edits]
    return Restoration(input=got.input, text=got.text, edits=edits)


def restore(text: str, config: RestoreConfig | None = None, **options) -> Restoration:
    """Most likely original wording of ``text``.

    ``options`` are :class:`RestoreConfig` fields (``fingerprints=False``, ``threshold=2.0``, ...).
    """
    if not isinstance(text, str):
        raise TypeError("restore() takes a str")
    if config is None:
        config = RestoreConfig(**options)
    elif options:
        raise TypeError("pass either a RestoreConfig or keyword options, not both")
    if not text or text.isspace():  # (not strip(): no copy of a huge text)
        return Restoration(input=text, text=text, edits=[])
    return get_restorer(config).restore(text)


def restore_many(texts: Iterable[str], config: RestoreConfig | None = None) -> Iterator[Restoration]:
    """Restore a stream of texts with one pipeline."""
    restorer = get_restorer(config or RestoreConfig())
    for t in texts:
        yield restorer.restore(t) if t.strip() else Restoration(input=t, text=t, edits=[])
