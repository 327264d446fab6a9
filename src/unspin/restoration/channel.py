"""The noisy channel: how plausibly a spinner turned an original into what we see.

``Channel.score`` is a log-linear score over context-free features: a fixed cost of any edit
(``bias``), the evidence each candidate source states (:mod:`unspin.restoration.sources`:
each names its own features), the frequency shift between the two sides, and penalties for
edits no source but the thesaurus supports. :class:`Weights` holds the weights, natural-log
units, one field per feature (plus ``lm``, the weight of the language model in decoding).
``Channel.plausible`` is the hard filter on thesaurus-only candidates, and ``Channel.prior``
the scored, filtered candidates of a span that the decoder (:mod:`unspin.restoration.decode`)
puts in its lattice.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields

from ..lang import formdata
from ..lang.factwords import fact_change
from ..lang.lexicon import MOBY_HEAD_LISTS_SPUN, MOBY_SPUN_LISTS_HEAD, WORDNET_SYNONYM
from ..lang.lm import NGramLM
from ..lang.morph import lemmas
from ..lang.words import FUNCTION_WORDS  # editing one on its own needs learned evidence
from .candidates import Candidate, CandidateGenerator


@dataclass
class Weights:
    """Channel and decision weights (natural-log units). Set by hand and by a small grid over
    wild-dev scored leave-one-article-out (docs/quality.md); ``tools/fit/tune_restore.py`` fits them
    by regression, which has not beaten these yet. ``data/weights.json``, when present, overrides.

    The channel adds its terms in the order of these fields (so the sums, and the decisions,
    do not depend on how the features were collected)."""

    lm: float = 1.0
    bias: float = -13.0          # cost of any edit: the input is kept unless evidence outweighs it
    # -- stated by the sources (their ``weights``) ---------------------------------------
    table: float = 5.5           # per ln(1 + learned count) of this exact substitution
    table_lemma: float = 2.5     # per ln(1 + learned count) at lemma level
    fingerprint: float = 15.0     # a curated list: one hit alone carries the edit unless the LM strongly objects
    moby_head: float = 1.0       # the original's thesaurus entry lists the spun word (spinner's direction)
    moby_spun: float = 0.3
    wordnet: float = 0.8
    # PPDB (4 / 1 / 0: a grid over wild-dev synonym pairs, tools/analysis/ppdb_reach.py --grid;
    # general weights, not learned per article): the rank priors are <= 0, so ppdb is their ceiling
    ppdb: float = 4.0            # PPDB links the two words (its best-ranked originals of the spun word)
    ppdb_rank: float = 1.0       # per -ln(1 + rank of the spun word in the original's PPDB line) (spinner's direction)
    ppdb_rev: float = 1.0        # per -ln(1 + rank of the original in the spun word's PPDB line)
    ppdb_syn: float = 0.0        # PPDB 2.0 labels the pair a synonym (+0.004 repair, +0.07 % false edits at 1.0)
    periphrase: float = 4.0      # a wordy form of the original in the grammar table (data/periphrases.tsv)
    periphrase_aux: float = -2.0  # ... an auxiliary periphrase ("have been"): natural in clean text too
    # A span composed word by word towards a known term (sources/terms.py); set by hand, not
    # fitted (docs/restore.md, "composing towards a term list").
    term: float = 5.0            # the span reaches a term of the list word by word
    term_listed: float = 5.0     # ... a term of the PPS list (not only a WordNet lemma): the field's
    term_prior: float = 1.0      # per ln(1 + PPS entries with the term): terms spinners hit often
    term_changed: float = -2.0   # per word that differs: each is one more guess
    term_weak: float = -1.0      # per differing word only Moby links (no WordNet or PPDB link)
    term_swapped: float = 8.0    # per differing word that is one of the tortured-phrase list's word swaps (papers option)
    # ... the same without the papers option, where the swaps only compose towards a term. Set
    # by hand: fold 0 of the PPS list, 0 / 4 / 6 / 8 -> 8.7 / 12.6 / 13.6 / 13.9 % exact; 8
    # edited wild-dev's clean originals ("travel period" -> travel time), 6 did not
    # (docs/restore.md, "The list's swaps in default mode").
    term_swapped_plain: float = 6.0
    # The tortured-phrase list's word swaps (sources/ppswords.py, off by default: the papers
    # option); set by hand on PPS fold 0 and Python's docstrings, not fitted (docs/restore.md).
    pps_word: float = 4.0        # per ln(1 + entries of the list with this word swap)
    pps_word_share: float = 1.0  # per ln(share of the spun word's swaps that give this original)
    pps_word_swap: float = 3.0   # per ln(share of the list's entries holding the spun word where it is a swap)
    # -- of the two sides ----------------------------------------------------------------
    zipf: float = 0.4            # per unit of zipf frequency the original is more common than the spun form
    spun_zipf: float = -0.3      # per zipf unit the spun form is more common than 4 (common words are rarely spins)
    length: float = -0.5         # per word of length change
    function_word: float = -3.0  # the spun side is a lone function word and no source but the thesaurus supports it
    table_function: float = -4.0  # per ln(1 + learned count) when the spun side is only function words (table)
    to_function_word: float = -3.0  # a content word "restored" to a function word, unsupported
    pos_mismatch: float = -2.0   # no shared part of speech, unsupported

    @classmethod
    def from_dict(cls, d: dict) -> "Weights":
        names = {f.name for f in fields(cls)}
        return cls(**{k: float(v) for k, v in d.items() if k in names})


# The channel's features, in the order it adds them (every Weights field but ``lm``).
FEATURES = tuple(f.name for f in fields(Weights) if f.name != "lm")

# The shipped files a single word's prior is computed from (Channel.signature).
_PRIOR_DATA = ("lexicon.npz", "blocklist.txt", "units.tsv", "ppdb.npz", "table.json", "fingerprints.json",
               "periphrases.tsv")


@functools.lru_cache(maxsize=1 << 18)
def _zipf(words: tuple[str, ...]) -> float:
    return formdata.zipf(words)  # = zipf_frequency(" ".join(words), "en"), precomputed where possible


def _share_pos(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two single words can be the same part of speech (phrases: assumed yes)."""
    if len(a) != 1 or len(b) != 1:
        return True
    pa, pb = lemmas(a[0]), lemmas(b[0])
    if not pa or not pb:
        return True
    return bool(set(pa) & set(pb))


class Channel:
    MIN_ZIPF = 4.0  # thesaurus-only originals must be at least this common (wordfreq zipf)
    CACHE_LIMIT = 20_000  # priors kept (~3 KB each: ~60 MB; 300,000 would be ~0.9 GB)

    def __init__(self, lm: NGramLM, generator: CandidateGenerator, weights: Weights,
                 min_zipf: float = MIN_ZIPF, min_zipf_gain: float = 0.5, prior_limit: int = 18):
        self.lm = lm
        self.gen = generator
        self.w = weights
        self.min_zipf = min_zipf
        self.min_zipf_gain = min_zipf_gain
        # Candidates per span kept by channel score before the LM sees them (the LM scores
        # every one of them at every occurrence: this is the main cost of decoding); three
        # times the decoder's max_candidates.
        self.prior_limit = prior_limit
        self._sources = (generator.thesaurus,) + generator.sources
        self._prefiltered = False
        self._prior_cache: dict[tuple[str, ...], list[tuple[float, Candidate]]] = {}
        # Bumped whenever priors may change (a source's phrases or thresholds changed): what
        # others remember of them (the decoder's per-sentence memo) is then stale.
        self.epoch = 0
        # Precomputed priors of single words (the form data's ``prior`` section), when this
        # channel's sources, data and weights are the ones it was computed for: use_stored().
        self.stored = None

    def forget(self) -> None:
        """Drop every cached prior: call after changing a source's data (an evaluation fold's
        list), so that neither this cache nor a decoder's memo serves the old ones, nor the
        precomputed priors (they were computed for the shipped data: :meth:`use_stored` again
        to read them)."""
        self._prior_cache.clear()
        self.stored = None
        self.epoch += 1

    def signature(self) -> dict:
        """What a single word's prior depends on besides the code: the sources, the shipped
        data files they read, the weights and limits (the form data's ``prior`` entry records
        it; :meth:`use_stored` compares)."""
        th = self.gen.thesaurus
        return {
            "sources": [src.name for src in self.gen.sources],
            "data": {name: formdata.shipped_sha256(name) for name in _PRIOR_DATA},
            "weights": {f.name: getattr(self.w, f.name) for f in fields(Weights)},
            "min_zipf": self.min_zipf, "min_zipf_gain": self.min_zipf_gain,
            "limit": max(self.prior_limit, self.WIDE_LIMIT),
            "thesaurus": {"min_zipf": th.min_zipf, "need_flags": th.need_flags,
                          "min_form_zipf": th.min_form_zipf, "min_form_gain": th.min_form_gain},
            "ppdb_max_links": self.gen._by_name["ppdb"].max_links if "ppdb" in self.gen._by_name else None,
            "pocketsphinx": formdata.pocketsphinx_version(),
        }

    def use_stored(self, fd) -> bool:
        """Read single words' priors from form data ``fd`` where it has them, if its ``prior``
        entry is this channel's :meth:`signature`. The caller vouches that the sources hold
        the shipped data (the signature names the files, not what a source was given)."""
        if fd is None or fd.header.get("prior") != self.signature():
            return False
        self._prior_cache.clear()
        self.stored = fd
        return True

    def _stored_prior(self, word: str) -> list[tuple[float, Candidate]] | None:
        got = self.stored.prior(word)
        if got is None:
            return None
        out = []
        for score, words, flags, sup in got:
            if sup:
                c = self.gen._candidate(words, flags, {"ppdb": formdata.unpack_support(sup)})
            else:
                c = Candidate(words=words, flags=flags)
            out.append((score, c))
        return out

    def prefilter_generator(self) -> None:
        """Have the generator drop the thesaurus-only candidates :meth:`plausible` rejects
        (speed only: :meth:`CandidateGenerator.prefilter`)."""
        self.forget()
        self.gen.prefilter(self.min_zipf, self.min_zipf_gain)
        self._prefiltered = True

    def set_thresholds(self, min_zipf: float | None = None, min_zipf_gain: float | None = None) -> None:
        """Change :meth:`plausible`'s thresholds (and the generator's prefilter with them)."""
        if min_zipf is not None:
            self.min_zipf = min_zipf
        if min_zipf_gain is not None:
            self.min_zipf_gain = min_zipf_gain
        self.forget()
        if self._prefiltered:
            self.prefilter_generator()

    def features(self, spun: tuple[str, ...], c: Candidate) -> dict[str, float]:
        """Context-free features of "a spinner turned ``c`` into ``spun``" (keys: :data:`FEATURES`)."""
        spun_fw = len(spun) == 1 and spun[0] in FUNCTION_WORDS
        unsupported = not c.support
        f = {"bias": 1.0}
        for src in self._sources:
            f.update(src.features(spun, c))
        f["zipf"] = _zipf(c.words) - _zipf(spun)
        f["spun_zipf"] = _zipf(spun) - 4.0
        f["length"] = float(abs(len(c.words) - len(spun)))
        f["function_word"] = float(spun_fw and unsupported)
        f["to_function_word"] = float(unsupported and not spun_fw
                                      and any(x in FUNCTION_WORDS for x in c.words)
                                      and not any(x in FUNCTION_WORDS for x in spun))
        f["pos_mismatch"] = float(unsupported and not _share_pos(spun, c.words))
        return {k: f.get(k, 0.0) for k in FEATURES}

    def score(self, spun: tuple[str, ...], c: Candidate) -> float:
        """The channel score: the weighted sum of :meth:`features`."""
        w = self.w
        if c.support:
            return sum(getattr(w, k) * v for k, v in self.features(spun, c).items() if v)
        # Thesaurus-only candidates (nearly all of them; specialised for the thesaurus source):
        # the same sum as over features(), term by term in the same order, without building
        # the dict (tests check equality).
        zs, zc = _zipf(spun), _zipf(c.words)
        flags = c.flags
        s = w.bias
        if flags & MOBY_HEAD_LISTS_SPUN:
            s += w.moby_head
        if flags & MOBY_SPUN_LISTS_HEAD:
            s += w.moby_spun
        if flags & WORDNET_SYNONYM:
            s += w.wordnet
        s += w.zipf * (zc - zs)
        s += w.spun_zipf * (zs - 4.0)
        s += w.length * float(abs(len(c.words) - len(spun)))
        if len(spun) == 1 and spun[0] in FUNCTION_WORDS:
            s += w.function_word
        elif (any(x in FUNCTION_WORDS for x in c.words)
              and not any(x in FUNCTION_WORDS for x in spun)):
            s += w.to_function_word
        if not _share_pos(spun, c.words):
            s += w.pos_mismatch
        return s

    def plausible(self, spun: tuple[str, ...], c: Candidate) -> bool:
        """Hard channel constraints for thesaurus-only candidates: the original must be a common
        word, linked in the spinner's direction (or by WordNet), and more common than what we
        see by ``min_zipf_gain``. Real spinners also swap words of equal frequency (home/house:
        about a quarter of wild-dev's swaps are lost here, ``tools/analysis/restore_ceiling.py``);
        ``min_zipf_gain=-0.5`` admits them, which gained repair on synthetic spins (+0.015) but
        none on wild-dev, at 20-45 % of the speed, so the default keeps the filter."""
        if c.support:
            return True
        zc = _zipf(c.words)
        return (zc >= self.min_zipf and zc - _zipf(spun) >= self.min_zipf_gain
                and bool(c.flags & (MOBY_HEAD_LISTS_SPUN | WORDNET_SYNONYM)))

    # Candidates per span the document decoder's proposals may draw on (unspin.restoration.document):
    # its edit models judge each candidate, so it looks further down the channel's list.
    WIDE_LIMIT = 30

    def prior(self, spun: tuple[str, ...], wide: bool = False) -> list[tuple[float, Candidate]]:
        """Context-free channel scores of a span's candidates, best first (cached per form):
        the first ``prior_limit``, or ``WIDE_LIMIT`` if ``wide``."""
        p = self._prior_cache.get(spun)
        if p is None:
            if len(spun) > 1 and not self.gen.may_have(spun):
                return []  # most word sequences are no known phrase; don't cache them
            if len(self._prior_cache) > self.CACHE_LIMIT:
                self._prior_cache.clear()  # bounded memory on endless streams
            if len(spun) == 1 and self.stored is not None:
                p = self._stored_prior(spun[0])
                if p is not None:
                    self._prior_cache[spun] = p
                    return p if wide else p[: self.prior_limit]
            # Exact evidence may name words the 3-gram never saw (technical terms).
            # A different unit, number or compass point is never the original
            # (unspin.lang.factwords): the spinner's thesaurus links them, the 3-gram may prefer
            # them, and the edit would change what the text says.
            cands = [c for c in self.gen.candidates(spun)
                     if self.plausible(spun, c)  # (the tests are pure: the cheaper-to-fail first)
                     and (c.exact or self.lm.known_all(c.words))
                     and fact_change(spun, c.words) is None]
            p = sorted(((self.score(spun, c), c) for c in cands), key=lambda x: -x[0])
            p = p[: max(self.prior_limit, self.WIDE_LIMIT)]
            self._prior_cache[spun] = p
        return p if wide else p[: self.prior_limit]
