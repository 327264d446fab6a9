"""Precomputed data for frequent word forms, so a form seen for the first time costs a look-up.

``data/formdata.bin`` is built by ``tools/build/build_formdata.py`` from the shipped lexicon,
lemminflect and wordfreq, for every word form with wordfreq zipf >= a threshold (recorded in
the file). For each such form it holds

  * its lemmas and context-free analyses (:func:`unspin.lang.morph.lemmas`, ``analyses``);
  * its thesaurus originals, re-inflected like the form
    (:meth:`unspin.restoration.sources.thesaurus.ThesaurusSource.compute_originals`) for one setting of
    the thesaurus source's ``min_zipf`` / ``need_flags``; a source with other settings, or another
    lexicon, does not use them;

  * (optional sections) the detector scan's candidates of the form
    (:meth:`unspin.detection.scan.Scanner.candidates`), for the shipped lexicon, PPDB table and
    3-gram, and the term source's reach of the form
    (:meth:`unspin.restoration.sources.terms.TermSource.reach`), for the shipped term list
    without the papers option; and the restoration channel's prior of the form alone (its
    candidates best first with their channel scores, :meth:`unspin.restoration.channel.Channel.prior`),
    for the default restorer's sources, data and weights; the header records what they were
    computed from, and the readers check it;

and, for every string it stores, the wordfreq zipf frequency (in hundredths, which is how
wordfreq quantises it). Learned-table and fingerprint candidates are not in it: they are
runtime inputs, merged by the generator.

The file is one memory-mapped blob: an 8-byte magic, a JSON header (versions, parameters,
array offsets) and uncompressed little-endian arrays. Nothing is unpickled; strings are
decoded only when asked for. Forms not in the file are computed as before, so the data only
ever changes speed, never output (``tests/test_formdata.py`` checks a sample).
"""

from __future__ import annotations

import functools
import json
import mmap
from importlib import resources

import numpy as np
from wordfreq import zipf_frequency

MAGIC = b"UNSPFD1\n"
FORMAT = "unspin-formdata/1"
FLAG_BITS = 3          # thesaurus entry: string id << FLAG_BITS | relation flags
ANA_BITS = 5           # analysis entry: lemma id << 2*ANA_BITS | upos << ANA_BITS | tag
SCAN_BITS = 7          # scan candidate: string id << SCAN_BITS | flags (lexicon flags, PPDB's bit 6)
# reach entry (two bytes): index into the term words ``rw`` (string ids) << 1 | strong link
PRIOR_BITS = 8         # prior entry: string id << PRIOR_BITS | thesaurus flags
# prior support (two bytes): 0, or PPDB's strengths: 1 << 11 | synonym << 10 | forward << 5 | reverse
PPDB_SUPPORT = 1 << 11


def pack_support(support: tuple) -> int | None:
    """A prior entry's support (:attr:`Candidate.support`) as two bytes: 0 for none, PPDB's
    strengths ``(1.0, forward, reverse, synonym)`` packed; None for anything else (such a
    form's prior is not stored)."""
    if not support:
        return 0
    if len(support) != 1 or support[0][0] != "ppdb":
        return None
    one, fwd, rev, syn = support[0][1]
    if one != 1.0 or syn not in (0.0, 1.0) or not all(x == int(x) and 0 <= x < 32 for x in (fwd, rev)):
        return None
    return PPDB_SUPPORT | int(syn) << 10 | int(fwd) << 5 | int(rev)


def unpack_support(code: int) -> tuple[float, float, float, float]:
    """PPDB's strengths from a non-zero :func:`pack_support` code."""
    return 1.0, float(code >> 5 & 31), float(code & 31), float(code >> 10 & 1)

# zipf of word tuples, filled as strings are decoded (exact: the file stores wordfreq's own
# rounding) and as wordfreq is asked for others; read by :func:`zipf`.
_ZIPF: dict[tuple[str, ...], float] = {}


class FormData:
    def __init__(self, path):
        with open(path, "rb") as f:
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        if mm[:8] != MAGIC:
            raise ValueError(f"{path}: not an unspin form-data file")
        hlen = int.from_bytes(mm[8:12], "little")
        self.header = h = json.loads(mm[12:12 + hlen].decode("utf-8"))
        if h.get("format") != FORMAT:
            raise ValueError(f"{path}: unknown format {h.get('format')!r}")
        self._mm = mm
        arrays = {}
        for name, (offset, dtype, count) in h["arrays"].items():
            arrays[name] = np.frombuffer(mm, dtype=np.dtype(dtype), count=count, offset=offset)
        self._str_off = arrays["str_off"]
        self._blob_at = h["arrays"]["str_blob"][0]
        self._zipf = arrays["zipf"]
        self._th_off = arrays["th_off"]
        self._th = arrays["th"]
        self._an_off = arrays["an_off"]
        self._an = arrays["an"]
        self._le_off = arrays["le_off"]
        self._le = arrays["le"]
        # optional sections (files built before them lack them)
        self._sc_off, self._sc = arrays.get("sc_off"), arrays.get("sc")
        self._rc_off, self._rc, self._rw = arrays.get("rc_off"), arrays.get("rc"), arrays.get("rw")
        self._pr_off, self._pr, self._pr_sup = arrays.get("pr_off"), arrays.get("pr"), arrays.get("pr_sup")
        self._pr_score, self._pr_ok = arrays.get("pr_score"), arrays.get("pr_ok")
        self.upos: list[str] = h["upos"]
        self.tags: list[str] = h["tags"]
        self.min_zipf: float = h["generator"]["min_zipf"]
        self.need_flags: int = h["generator"]["need_flags"]
        nkeys = h["keys"]
        # Keys are the first strings, "\n"-separated in the blob: one decode builds the index.
        end = self._blob_at + int(self._str_off[nkeys]) - 1
        self._key_index = {w: i for i, w in enumerate(mm[self._blob_at:end].decode("utf-8").split("\n"))}
        self._words: dict[int, tuple[str, ...]] = {}
        self._strings: dict[int, str] = {}
        self._rw_words: list[str] | None = None

    def __contains__(self, word: str) -> bool:
        return word in self._key_index

    def __len__(self) -> int:
        return len(self._key_index)

    def words(self, sid: int) -> tuple[str, ...]:
        """String ``sid`` as a word tuple (its zipf becomes known to :func:`zipf`)."""
        w = self._words.get(sid)
        if w is None:
            a = self._blob_at + int(self._str_off[sid])
            b = self._blob_at + int(self._str_off[sid + 1]) - 1
            w = self._words[sid] = tuple(self._mm[a:b].decode("utf-8").split())
            _ZIPF[w] = int(self._zipf[sid]) / 100
        return w

    def analyses(self, word: str) -> tuple[tuple[str, str, str], ...] | None:
        i = self._key_index.get(word)
        if i is None:
            return None
        out = []
        mask = (1 << ANA_BITS) - 1
        for code in self._an[self._an_off[i]:self._an_off[i + 1]].tolist():
            out.append((self.upos[(code >> ANA_BITS) & mask], " ".join(self.words(code >> 2 * ANA_BITS)),
                        self.tags[code & mask]))
        return tuple(out)

    def lemmas(self, word: str) -> dict[str, tuple[str, ...]] | None:
        i = self._key_index.get(word)
        if i is None:
            return None
        out: dict[str, tuple[str, ...]] = {}
        mask = (1 << ANA_BITS) - 1
        for code in self._le[self._le_off[i]:self._le_off[i + 1]].tolist():
            upos = self.upos[(code >> ANA_BITS) & mask]
            out[upos] = out.get(upos, ()) + (" ".join(self.words(code >> 2 * ANA_BITS)),)
        return out

    def thesaurus_codes(self, word: str, min_form_zipf: float | None = None,
                        min_form_gain: float | None = None) -> list[int] | None:
        """Thesaurus originals of ``word`` as codes (:meth:`decode_thesaurus`), or None when the
        form is not in the file. With ``min_form_gain``, only those whose zipf ``zc`` has
        ``zc >= min_form_zipf and zc - zipf(word) >= min_form_gain`` (same float arithmetic as
        :meth:`ThesaurusSource.keep`)."""
        i = self._key_index.get(word)
        if i is None:
            return None
        zs = _ZIPF[(word,)] = int(self._zipf[i]) / 100
        a, b = self._th_off[i], self._th_off[i + 1]
        if min_form_gain is None:
            return self._th[a:b].tolist()
        codes = self._th[a:b]
        zc = self._zipf[codes >> FLAG_BITS] / 100.0
        keep = (zc >= min_form_zipf) & (zc - zs >= min_form_gain)
        return codes[keep].tolist()

    def thesaurus_flags(self, word: str, originals) -> list[int] | None:
        """The relation flags of each of ``originals`` (word tuples) among ``word``'s thesaurus
        originals (0: not one of them), or None when the form is not in the file. Decodes only
        the strings that are not word forms of the file (few), so it stays cheap where
        :meth:`thesaurus` would decode hundreds."""
        i = self._key_index.get(word)
        if i is None:
            return None
        codes = self._th[self._th_off[i]:self._th_off[i + 1]]
        sids = codes >> FLAG_BITS
        mask = (1 << FLAG_BITS) - 1
        far = None  # codes of strings past the keys, with their byte lengths (made when needed)
        out = []
        for o in originals:
            sid = self._key_index.get(o[0]) if len(o) == 1 else None
            if sid is None:
                if far is None:
                    far = codes[sids >= self.header["keys"]]
                    fs = far >> FLAG_BITS
                    lens = self._str_off[fs + 1] - self._str_off[fs] - 1
                # decode only the strings of the right length
                size = len(" ".join(o).encode("utf-8"))
                hit = [int(c) for c in far[lens == size] if self.words(int(c) >> FLAG_BITS) == o]
                out.append(hit[0] & mask if hit else 0)
                continue
            at = np.flatnonzero(sids == sid)
            out.append(int(codes[at[0]]) & mask if len(at) else 0)
        return out

    def _string(self, sid: int) -> str:
        """String ``sid`` as stored (words joined by one space), cached."""
        got = self._strings.get(sid)
        if got is None:
            a = self._blob_at + int(self._str_off[sid])
            b = self._blob_at + int(self._str_off[sid + 1]) - 1
            got = self._strings[sid] = self._mm[a:b].decode("utf-8")
        return got

    def scan_candidates(self, word: str) -> tuple[tuple[str, int], ...] | None:
        """The scan's ``((candidate, flags), ...)`` of ``word``, or None when the file has no
        such section or not the form. The caller checks that the header's ``scan`` entry
        matches its own resources."""
        if self._sc is None:
            return None
        i = self._key_index.get(word)
        if i is None:
            return None
        mask = (1 << SCAN_BITS) - 1
        return tuple((self._string(c >> SCAN_BITS), c & mask)
                     for c in self._sc[self._sc_off[i]:self._sc_off[i + 1]].tolist())

    def reach(self, word: str) -> dict[str, bool] | None:
        """The term source's reach of ``word`` (term word -> linked by WordNet or PPDB), or None
        when the file has no such section or not the form (the caller checks the header's
        ``reach`` entry)."""
        if self._rc is None:
            return None
        i = self._key_index.get(word)
        if i is None:
            return None
        if self._rw_words is None:
            self._rw_words = [self._string(sid) for sid in self._rw.tolist()]
        rw = self._rw_words
        return {rw[c >> 1]: bool(c & 1) for c in self._rc[self._rc_off[i]:self._rc_off[i + 1]].tolist()}

    def prior(self, word: str) -> list[tuple[float, tuple[str, ...], int, int]] | None:
        """The channel prior of ``word`` alone as ``(score, original words, thesaurus flags,
        support code)`` entries, best first (support: 0, or PPDB's strengths packed as
        :data:`PPDB_SUPPORT` says); None when the file has no such section, not the form, or
        not its prior (one with evidence the section does not encode). The caller checks the
        header's ``prior`` entry."""
        if self._pr is None:
            return None
        i = self._key_index.get(word)
        if i is None or not self._pr_ok[i]:
            return None
        a, b = int(self._pr_off[i]), int(self._pr_off[i + 1])
        mask = (1 << PRIOR_BITS) - 1
        return [(score, self.words(code >> PRIOR_BITS), code & mask, sup)
                for code, sup, score in zip(self._pr[a:b].tolist(), self._pr_sup[a:b].tolist(),
                                            self._pr_score[a:b].tolist())]

    def decode_thesaurus(self, code: int) -> tuple[tuple[str, ...], int]:
        return self.words(code >> FLAG_BITS), code & ((1 << FLAG_BITS) - 1)

    def thesaurus(self, word: str) -> list[tuple[tuple[str, ...], int]] | None:
        codes = self.thesaurus_codes(word)
        if codes is None:
            return None
        return [self.decode_thesaurus(code) for code in codes]


def _path():
    return resources.files("unspin") / "data" / "formdata.bin"


@functools.lru_cache(maxsize=None)
def shipped_sha256(name: str) -> str:
    """sha256 of a shipped data file (what a section of the form data records it was built from)."""
    import hashlib

    return hashlib.sha256((resources.files("unspin") / "data" / name).read_bytes()).hexdigest()


def pocketsphinx_version() -> str | None:
    import importlib.metadata as md

    try:
        return md.version("pocketsphinx")
    except md.PackageNotFoundError:
        return None


@functools.lru_cache(maxsize=1)
def get_formdata() -> FormData | None:
    """The shipped form data, or None when it is missing or was built with other versions of
    lemminflect / wordfreq than the ones installed (then everything is computed)."""
    import importlib.metadata as md

    try:
        fd = FormData(str(_path()))
    except (FileNotFoundError, ValueError):
        return None
    versions = fd.header.get("versions", {})
    for pkg in ("lemminflect", "wordfreq"):
        try:
            if md.version(pkg) != versions.get(pkg):
                return None
        except md.PackageNotFoundError:
            return None
    zipf_frequency("the", "en")  # load wordfreq's table now: nearly every text needs it once
    return fd


def zipf(words: tuple[str, ...]) -> float:
    """wordfreq's ``zipf_frequency(" ".join(words), "en")``, from the file where it has it."""
    z = _ZIPF.get(words)
    if z is None:
        if len(_ZIPF) > 200_000:
            _ZIPF.clear()  # bounded on endless streams (~190 B an entry: ~40 MB)
        fd = get_formdata()
        i = fd._key_index.get(words[0]) if fd is not None and len(words) == 1 else None
        if i is not None:
            z = int(fd._zipf[i]) / 100
        else:
            term = " ".join(words)
            lex = _lexicon_zipf() if fd is not None else None
            j = lex[0].get(term) if lex is not None else None
            if j is not None:
                z = int(round(float(lex[1][j]) * 100)) / 100
            else:
                z = zipf_frequency(term, "en")
        _ZIPF[words] = z
    return z


@functools.lru_cache(maxsize=1)
def _lexicon_zipf():
    """The shipped lexicon's term index and float32 zipf column, when the form data's build
    checked that rounding it to hundredths gives wordfreq's value for every term."""
    from .lexicon import get_lexicon

    fd = get_formdata()
    lex = get_lexicon()
    if fd is None or fd.header.get("lexicon_zipf_exact_terms") != len(lex.terms):
        return None
    return lex.index, lex.zipf
