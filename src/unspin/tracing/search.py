"""Trace a (possibly spun) text to the sources it was copied from.

``trace(text, index, k)`` returns the ``k`` best :class:`Match` es, each with the source's ``id``,
``url`` and ``date`` where known, a similarity ``score`` in [0, 1], and the evidence: aligned
passages side by side with each swapped word marked (spun <-> original; the alignment is
:mod:`unspin.tracing.align`, the text and HTML reports :mod:`unspin.report.trace`).

How (see :mod:`unspin.tracing.signatures` for the keys): the query's words are expanded into the
originals they may stand for. Each source passage is scored by a log-likelihood ratio, "this
passage is the query's source" against "an unrelated passage": every query word adds what finding
(or not finding) one of its possible originals there says, given how rare that original is in the
index (a kept rare name says a lot; one of 300 loose thesaurus neighbours says little), plus
terms for the word order kept, unmatched words inside the copied stretch, and a length like the
query's. A first pass over the posting lists (the most telling alternatives of each word) picks a
few hundred passages; the second pass scores those on their word sequences. Long queries are cut
into chunks whose evidence is added up per source. The reported ``score`` is the evidence found
as a share of what an identical copy would give (so a spun copy scores well below 1).
``compare(a, b)`` is the same measure for one pair of texts, without an index, with general-English
word rarity in place of the index's statistics. What a search keeps per index (loaded arrays,
whether its words' rarities were looked up) is held by the :class:`~unspin.tracing.index.Index`;
the module-level tables it reads (:data:`~unspin.tracing.signatures.PRIOR`, the stop-word hashes)
depend only on the shipped lexicon and English word frequencies, the same for every index.

>>> m = compare("The loss of life toll rose to 80, officials explained on Sunday.",
...             "The death toll rose to 80, officials said on Sunday.")
>>> [(p.query, p.source) for p in m.swaps]
[('loss of life', 'death'), ('explained', 'said')]
>>> m.score > compare("Nothing here is like the other text at all.", "The death toll rose to 80.").score
True
"""

from __future__ import annotations

import functools
import math
import os

import numpy as np

from ..errors import UnspinError
from ..results import Match
from ..lang.tokenize import tokenize
from .align import align_passage
from .cover import Found, cover, share
from .index import Index
from .segments import SINGLE, WINDOW, HashIndex
from .signatures import PRIOR, expand_query, stop_hashes
from .sources import Source

# Scoring: each query word adds the log-likelihood ratio "this passage is its source" vs "an
# unrelated passage" of what is found for it in the passage (module-level so benchmarks can report).
SPIN_RATE = 0.4         # prior share of words a spinner swapped
P_MISS = 0.2            # chance that a source word is none of the query word's expected originals
SHARPNESS = 3.0         # alternative weights are raised to this power before normalising per word
FREQ_POWER = 1.0        # ...and multiplied by their prior share as an original to this power
P_GAP_WORD = 0.3        # chance that a content word inside the copied stretch of the source has no match
P_INFLECT = 0.15        # chance that a kept word comes back in another inflection (pressed -> pressing)
P_SAME_LENGTH = 0.5     # chance that the source passage is about as long as the query (a whole copied paragraph)
P_ORDER = 0.7           # chance that consecutive matched words keep their order in a spun copy
ORDER_GAP = 4           # ...at most this many source words apart
IDF_STOP = 0.3          # rarity of a function word
PRIOR_DOCS = 50.0       # pseudo-documents of general English mixed into document frequencies
MIN_PASSAGE_SHARE = 0.1  # evidence passages scoring under this share of a copy's are left out
CANDIDATES = 200        # passages re-scored on their word sequences (300 until 2026-12-07: with the first
                        # pass in gain order 200 gave the same recall at 5k, 50k and 1M documents)
FIRST_PASS_ALTS = 40    # alternatives per query word looked up in the posting lists
FIRST_PASS_MIN_GAIN = -1.0
RUN_MARGIN = 3          # words shown either side of a passage's copied run
CHANCE_RANK = 10        # in a long query's chunk, the rank whose score is taken as chance level
DF_CAP = 0.25           # first pass skips alternatives found in more than this share of passages
# The first pass reads posting lists in order of their gain (most telling first) until they hold
# FIRST_PASS_BUDGET postings (per chunk of the query): what a query reads has a ceiling that does
# not grow with the index, and it is spent where a posting says most. A cap on list length
# instead (until 2026-12-07) read every thesaurus alternative found in up to 8,192 passages,
# a third of those postings worth nothing after the length term and half under half a nat,
# and skipped kept common words worth five: at 1M documents 1.8 M postings a query for recall@1
# 0.973, where in gain order 125,000 give 0.983 (docs/trace.md). Alternatives left out still
# count in the second pass, which scores every alternative.
FIRST_PASS_BUDGET = 125_000


# ---------------------------------------------------------------------------------------------
# weights

@functools.lru_cache(maxsize=1)
def _stop_array() -> np.ndarray:
    return np.array(sorted(stop_hashes()), dtype=np.uint64)


def _is_stop(hashes: np.ndarray) -> np.ndarray:
    """Which ``hashes`` are function words: a binary search in the sorted stop list (numpy's isin
    compares every element with each of the ~150 stop hashes in turn)."""
    stops = _stop_array()
    pos = np.minimum(np.searchsorted(stops, hashes), len(stops) - 1)
    return stops[pos] == hashes


_PRIOR = PRIOR


def _idf(hashes: np.ndarray, df: np.ndarray, n: int, prior: np.ndarray | None = None) -> np.ndarray:
    if prior is None:
        prior = np.fromiter((_PRIOR.get(h, 1e-3) for h in hashes.tolist()), dtype=np.float64, count=len(hashes))
    p = (df + 0.5 + PRIOR_DOCS * prior) / (n + 1.0 + PRIOR_DOCS)
    out = np.log(1.0 / np.clip(p, 1e-9, 1.0))
    out[_is_stop(hashes)] = IDF_STOP
    return np.maximum(out, IDF_STOP)


# ---------------------------------------------------------------------------------------------
# search

def _expand_ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated ``arange(lo[i], hi[i])`` and the ``i`` each element came from."""
    lens = hi - lo
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    owner = np.repeat(np.arange(len(lo)), lens)
    offs = np.repeat(np.cumsum(lens) - lens, lens)
    return np.arange(total, dtype=np.int64) - offs + np.repeat(lo, lens), owner


def _length_bonus(index: Index, n: int):
    """Log-likelihood ratio of a passage's length: a copied paragraph or story is about as long as
    its source, against how many passages of the index happen to have such a length."""
    lo_len, hi_len = math.ceil(0.7 * n - 2), math.floor(1.5 * n + 3)  # passage lengths are whole
    frac = index.length_share(lo_len, hi_len)
    if not 0.0 < frac < 1.0:
        return lambda lens: np.zeros(len(lens))
    inside = math.log(P_SAME_LENGTH / frac)
    outside = math.log((1 - P_SAME_LENGTH) / (1 - frac))
    return lambda lens: np.where((lens >= lo_len) & (lens <= hi_len), inside, outside)


# Measured hot loop (most of a query's time, see benchmarks/bench_trace.py): one vectorised pass
# over the posting lists and the candidates' word sequences, kept as one function so its arrays
# stay local; over the usual function length on purpose.
def _score_chunk(index: Index, qa, t0: int, t1: int, n_cand: int):
    """Score source passages for query tokens [t0, t1).

    Returns ``(passage ids, log-likelihood ratios, best source position per query token (-1 when
    unmatched), the best ratio attainable, start and end of each passage's copied run of query
    tokens, each query token's gain per passage)`` or None when nothing matches.
    """
    sel = (qa.alt_tok >= t0) & (qa.alt_tok < t1)
    a_hash = qa.alt_hash[sel]
    a_tok = qa.alt_tok[sel] - t0
    a_w = qa.alt_w[sel].astype(np.float64)
    nt = t1 - t0
    exact = qa.exact[t0:t1]
    P = index.n_passages
    if len(a_hash) == 0 or P == 0:
        return None
    # the distinct alternatives (np.unique with its index and inverse, by one stable argsort that
    # the second pass reuses: an alternative's rows follow each other in ``sh``, in query order)
    order = np.argsort(a_hash, kind="stable")
    sh = a_hash[order]
    new_h = np.concatenate(([True], sh[1:] != sh[:-1]))
    uniq, first_of = sh[new_h], order[new_h]
    inv = np.empty(len(a_hash), dtype=np.int64)
    inv[order] = np.cumsum(new_h) - 1
    df, ranges = index.lookup(uniq)
    a_stop = _is_stop(a_hash)
    tok_stop = _is_stop(exact)
    a_idf = _idf(uniq, df, P, qa.alt_prior[sel][first_of])[inv]
    a_df = df[inv]
    # log P(source word = a | query word): kept words vs swapped-in originals, the latter shared
    # out by relation strength among the word's alternatives.
    same = a_w >= 1.0
    sharp = np.where(same, 0.0, a_w ** SHARPNESS * qa.alt_share[sel] ** FREQ_POWER)
    z = np.zeros(nt)
    np.add.at(z, a_tok, sharp)
    log_src = np.where(same, math.log(1.0 - SPIN_RATE),
                       math.log(SPIN_RATE) + np.log(np.maximum(sharp, 1e-12) / np.maximum(z[a_tok], 1e-12)))
    llr = log_src + a_idf
    # function words carry (almost) no evidence either way
    llr = np.where(tok_stop[a_tok] | a_stop, np.minimum(np.maximum(llr, 0.0), IDF_STOP) * same, llr)
    miss = np.where(tok_stop, 0.0, math.log(P_MISS))
    gain = llr - miss[a_tok]  # what finding alternative a adds over finding nothing
    best_possible = np.full(nt, 0.0)
    np.maximum.at(best_possible, a_tok, gain)
    avg = index.avg_pass_len

    # -- first pass: posting lists, the FIRST_PASS_ALTS most telling alternatives per word ---
    no_evidence = ~same & (tok_stop[a_tok] | a_stop)  # a function word's thesaurus neighbours say nothing
    use = (a_df > 0) & (gain > FIRST_PASS_MIN_GAIN) & ~no_evidence & ((a_df <= DF_CAP * P) | (P < 200))
    rows = np.flatnonzero(use)
    rows = rows[np.lexsort((-gain[rows], a_tok[rows]))]
    rt = a_tok[rows]
    if len(rows):
        new_t = np.ones(len(rows), dtype=bool)
        new_t[1:] = rt[1:] != rt[:-1]
        starts_t = np.flatnonzero(new_t)
        rank = np.arange(len(rows)) - np.repeat(starts_t, np.diff(np.append(starts_t, len(rows))))
        rows = rows[rank < FIRST_PASS_ALTS]
        rows = _within_budget(rows, a_df, gain)
    # Each passage sums what its postings give. A passage holding two alternatives of one query
    # word counts both here (the exact second pass counts the best one only): a first pass that
    # ranks candidates needs no per-word de-duplication, and without it the work is one sort of
    # the postings read, with no words x passages array.
    pid_parts, row_parts = [], []
    for lo, hi, seg in ranges:
        if lo is None or not len(rows):
            continue
        u = inv[rows]
        p_idx, owner = _expand_ranges(lo[u], hi[u])
        if not len(p_idx):
            continue
        pid_parts.append(seg.pids[p_idx])
        row_parts.append(owner)
    hit, total = _per_passage(pid_parts, row_parts, gain[rows], index.pass_log_len, index.pass_log_len_max)
    if len(hit) == 0:
        return None
    len_bonus = _length_bonus(index, nt)
    total = np.maximum(total + len_bonus(index.pass_len[hit]), 1e-6)
    C = min(n_cand, len(hit))
    cand = hit[np.argpartition(-total, C - 1)[:C]] if C < len(hit) else hit

    # -- second pass: word sequences of the candidates -----------------------------------
    docs = index.pass_doc[cand]
    starts = index.doc_seq_start[docs] + index.pass_tok0[cand]
    lens = index.pass_len[cand].astype(np.int64)
    tok_pos, owner = _expand_ranges(starts, starts + lens)
    toks = index.seq[tok_pos]
    rel_pos = tok_pos - np.repeat(starts, lens)
    # One look-up per source word, in a hash table of the query's distinct alternatives and the
    # function words together (whether a word is a function word is needed for every word of
    # the candidates, below).
    known = np.concatenate((uniq, _stop_array()))
    known.sort()
    known = known[np.concatenate(([True], known[1:] != known[:-1]))]
    pos = HashIndex(known, spare=3).find(toks)
    hit_known = pos >= 0
    pos = np.maximum(pos, 0)
    lo = np.where(hit_known, np.searchsorted(sh, known, "left")[pos], 0)
    hi = np.where(hit_known, np.searchsorted(sh, known, "right")[pos], 0)
    tok_content = ~(hit_known & _is_stop(known)[pos])
    m_idx, m_tok = _expand_ranges(lo, hi)  # m_tok: index into toks
    if len(m_idx) == 0:
        return None
    alt_row = order[m_idx]
    m_c = owner[m_tok]
    m_q = a_tok[alt_row]
    c_loglen = np.log(np.maximum(lens, 1) / avg)
    # A short passage's matches are worth more (fewer words to hold one by chance), but only
    # where a match is evidence: a function word, or a function word's thesaurus neighbour, is
    # worth its fixed small value (or nothing) at any passage length. Until 2026-12-07 only kept
    # function words were exempt, so "is", "had", "been" each matched the "up" of a 10-word
    # Python docstring at +1.4 nats, and such lines outranked the source of heavy spins.
    m_v = gain[alt_row] - np.where(a_stop[alt_row] | tok_stop[m_q], 0.0, c_loglen[m_c])
    inflected = same[alt_row] & ~tok_stop[m_q] & (index.surf[tok_pos[m_tok]] != qa.surface[t0:t1][m_q])
    m_v = m_v + np.where(inflected, math.log(P_INFLECT), 0.0)
    keep = m_v > 0
    m_c, m_q, m_v, m_tok = m_c[keep], m_q[keep], m_v[keep], m_tok[keep]
    best = np.zeros((len(cand), nt))
    np.maximum.at(best.reshape(-1), m_c * nt + m_q, m_v)
    # The copied stretch of the query: a copy is one contiguous run of query words, so for each
    # candidate only its best run counts (matched words add their gain, unmatched content words
    # inside the run cost log(P_GAP_WORD) as on the source side). Without it a short passage
    # collects chance matches scattered over a whole page and outranks the copied paragraph's source.
    lo_q, hi_q, score = _best_run(best, tok_stop)
    inside = (m_q >= lo_q[m_c]) & (m_q < hi_q[m_c])
    m_c, m_q, m_v, m_tok = m_c[inside], m_q[inside], m_v[inside], m_tok[inside]
    best[(np.arange(nt)[None, :] < lo_q[:, None]) | (np.arange(nt)[None, :] >= hi_q[:, None])] = 0.0
    # One source word is the original of one query word: each (candidate, query word) keeps one
    # match and each source word serves one query word, the best-valued first and, among equals
    # (a repeated word or number), the one nearest the candidate's diagonal (its mean offset from
    # query to source position), so that a repeated "200" maps to each of the source's "200"s in
    # turn. Without it a twin with one "Gibbons" matched both of the query's, and a 10-word
    # passage whose "up" is a loose neighbour of a dozen spun words matched all of them. The
    # run and its score are then taken again on that alignment.
    m_pos = rel_pos[m_tok]
    diag = _diagonal(m_c, m_q, m_pos, m_tok, len(cand), nt, len(toks))
    off_diag = np.abs(m_pos - m_q - diag[m_c])
    rows_b = _one_to_one(m_c * nt + m_q, m_tok, m_v, off_diag, len(cand) * nt, len(toks))
    m_c, m_q, m_v, m_tok = m_c[rows_b], m_q[rows_b], m_v[rows_b], m_tok[rows_b]
    best = np.zeros((len(cand), nt))
    best.reshape(-1)[m_c * nt + m_q] = m_v
    lo_q, hi_q, score = _best_run(best, tok_stop)
    inside = (m_q >= lo_q[m_c]) & (m_q < hi_q[m_c])
    m_c, m_q, m_v, m_tok = m_c[inside], m_q[inside], m_v[inside], m_tok[inside]
    best[(np.arange(nt)[None, :] < lo_q[:, None]) | (np.arange(nt)[None, :] >= hi_q[:, None])] = 0.0
    # word order: consecutive matched query words whose matches follow within ORDER_GAP
    bc, bq, bp = m_c, m_q, rel_pos[m_tok]
    content = ~tok_stop[bq]
    bc, bq, bp = bc[content], bq[content], bp[content]
    same_c = bc[1:] == bc[:-1]
    step = bp[1:] - bp[:-1]
    ordered = same_c & (step > 0) & (step <= ORDER_GAP)
    p_rand = np.minimum(0.5, ORDER_GAP / np.maximum(lens[bc[1:]], 1))
    bonus = np.where(ordered, np.log(P_ORDER / p_rand), np.log((1 - P_ORDER) / (1 - p_rand)))
    np.add.at(score, bc[1:][same_c], bonus[same_c])
    # unmatched content words between the first and last match: a copy has few
    lo_pos = np.full(len(cand), np.iinfo(np.int64).max)
    hi_pos = np.full(len(cand), -1, dtype=np.int64)
    np.minimum.at(lo_pos, bc, bp)
    np.maximum.at(hi_pos, bc, bp)
    has = hi_pos >= 0
    matched_tok = np.zeros(len(toks), dtype=bool)
    matched_tok[m_tok] = True
    cs_unmatched = np.concatenate(([0], np.cumsum(tok_content & ~matched_tok)))
    cand_off = np.concatenate(([0], np.cumsum(lens)))[:-1]
    g_lo = np.where(has, cand_off + np.where(has, lo_pos, 0), 0)
    g_hi = np.where(has, cand_off + hi_pos + 1, 0)
    gap_words = cs_unmatched[g_hi] - cs_unmatched[g_lo]
    score += gap_words * math.log(P_GAP_WORD)
    # length: a copied paragraph or story is about as long as its source; weigh that against how
    # many passages of the index happen to have such a length
    score += len_bonus(lens)
    n_content = int((~tok_stop).sum())
    top = best_possible.sum() + max(0, n_content - 1) * math.log(P_ORDER / (ORDER_GAP / avg))
    best_pos = np.full((len(cand), nt), -1, dtype=np.int64)
    best_pos[bc, bq] = bp
    return cand, score, best_pos, max(top, 1e-9), lo_q, hi_q, best


def _diagonal(m_c, m_q, m_pos, m_tok, n_cand: int, nt: int, n_toks: int) -> np.ndarray:
    """Per candidate, the mean offset from query to source position of its unambiguous matches
    (a query word with one match, at a source word matched by no other): loose thesaurus
    matches scattered over the passage would pull a mean over all matches off the copy's line.
    Candidates with no unambiguous match use all their matches."""
    per_cell = np.bincount(m_c * nt + m_q, minlength=n_cand * nt)
    per_tok = np.bincount(m_tok, minlength=n_toks)
    sure = (per_cell[m_c * nt + m_q] == 1) & (per_tok[m_tok] == 1)
    off = (m_pos - m_q).astype(np.float64)
    n_all = np.bincount(m_c, minlength=n_cand)
    n_sure = np.bincount(m_c[sure], minlength=n_cand)
    s_all = np.bincount(m_c, weights=off, minlength=n_cand)
    s_sure = np.bincount(m_c[sure], weights=off[sure], minlength=n_cand)
    return np.where(n_sure > 0, s_sure / np.maximum(n_sure, 1), s_all / np.maximum(n_all, 1))


def _one_to_one(cell: np.ndarray, tok: np.ndarray, value: np.ndarray, off_diag: np.ndarray,
                n_cells: int, n_toks: int, rounds: int = 16) -> np.ndarray:
    """Rows of a one-to-one matching between cells (candidate x query word) and source words,
    in order of cell: greedy by ``value`` (highest first), then ``off_diag`` (lowest), then row.
    Done in rounds without a Python loop over rows: a row that is the best left both for its
    cell and for its source word is taken, and the rows of what it took are dropped; the best
    row left overall always qualifies, so every round takes at least one. What is left after
    ``rounds`` (long chains of conflicts, rare) is left unmatched."""
    n = len(cell)
    if n == 0:
        return np.zeros(0, np.int64)
    order = np.lexsort((np.arange(n), off_diag, -value))
    prio = np.empty(n, np.int64)
    prio[order] = np.arange(n)
    alive = np.arange(n)
    chosen = []
    for _ in range(rounds):
        c, t, p = cell[alive], tok[alive], prio[alive]
        cell_min = np.full(n_cells, n)
        np.minimum.at(cell_min, c, p)
        tok_min = np.full(n_toks, n)
        np.minimum.at(tok_min, t, p)
        win = (p == cell_min[c]) & (p == tok_min[t])
        won = alive[win]
        chosen.append(won)
        cell_taken = np.zeros(n_cells, dtype=bool)
        cell_taken[cell[won]] = True
        tok_taken = np.zeros(n_toks, dtype=bool)
        tok_taken[tok[won]] = True
        alive = alive[~win & ~cell_taken[c] & ~tok_taken[t]]
        if not len(alive):
            break
    sel = np.concatenate(chosen)
    return sel[np.argsort(cell[sel], kind="stable")]


def _within_budget(rows: np.ndarray, a_df: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """The first pass's rows: in order of gain, the lists that fit in FIRST_PASS_BUDGET postings.
    A list too long for what is left is passed over and the shorter ones after it still read (one
    more round over the rest), so that a long list of a kept common word does not end the pass."""
    order = rows[np.argsort(-gain[rows], kind="stable")]
    cum = np.cumsum(a_df[order])
    fits = cum <= FIRST_PASS_BUDGET
    if fits.all():
        return order
    cut = int(np.argmin(fits))  # the first list that does not fit
    left = FIRST_PASS_BUDGET - (int(cum[cut - 1]) if cut else 0)
    rest = order[cut + 1:]
    rest = rest[a_df[rest] <= left]
    return np.concatenate((order[:cut], rest[np.cumsum(a_df[rest]) <= left]))


def _per_passage(pids: list, rows: list, row_gain: np.ndarray, log_len: np.ndarray,
                 log_len_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Per passage ``p``, the sum over its postings of ``max(gain - log_len[p], 0)``, where a
    posting ``i`` of ``pids`` (a list of arrays) is worth ``row_gain[rows[i]]``: (passage ids
    ascending, sums > 0).

    A passage's length term is subtracted once per passage, not per posting:
    ``max(g - l, 0) = max(g, l) - l``, and for a row whose gain is at least the longest passage's
    ``l`` that is ``g - l``, so only the postings of weaker rows read the passage's log-length.
    Where the postings are few against the passages (a big index), they are grouped by one sort
    of 64-bit keys (passage id, row), which numpy does faster than it argsorts the ids, the rows
    giving each posting's gain from a table of a few thousand; an array over all passages (as
    bincount makes) would cost as much as the index is large, whatever was read. Otherwise that
    array is the cheaper."""
    n = sum(len(p) for p in pids)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    P = len(log_len)
    if P <= 8 * n:
        pid = np.concatenate(pids)
        g = row_gain[np.concatenate(rows)].astype(np.float64)
    else:
        key = (np.concatenate(pids).astype(np.int64) << 32) | np.concatenate(rows).astype(np.int64)
        key.sort()
        pid = key >> 32
        g = row_gain[key & 0xFFFFFFFF].astype(np.float64)
    if row_gain.min() < log_len_max:
        at = np.flatnonzero(g < log_len_max)
        g[at] = np.maximum(g[at], log_len[pid[at]])
    if P <= 8 * n:
        count = np.bincount(pid, minlength=P)
        hit = np.flatnonzero(count)
        total = np.bincount(pid, weights=g, minlength=P)[hit] - count[hit] * log_len[hit].astype(np.float64)
    else:
        new = np.concatenate(([True], pid[1:] != pid[:-1]))
        which = np.cumsum(new) - 1  # the posting's passage among those hit (reduceat is slow per group)
        hit = pid[new]
        total = np.bincount(which, weights=g) - np.bincount(which) * log_len[hit].astype(np.float64)
    keep = total > 1e-9  # a passage whose postings all fell under its length term sums to 0
    return hit[keep], total[keep]


def _best_run(best: np.ndarray, tok_stop: np.ndarray):
    """Per row of ``best`` (candidates x query words, the gain of each matched word, 0 when
    unmatched): the half-open run ``[lo, hi)`` of query words with the largest sum of gains, an
    unmatched content word counting log(P_GAP_WORD), and that sum (Kadane's maximum subarray,
    vectorised over the rows through cumulative sums)."""
    n, nt = best.shape
    v = np.where(best > 0, best, np.where(tok_stop, 0.0, math.log(P_GAP_WORD))[None, :])
    cs = np.concatenate([np.zeros((n, 1)), np.cumsum(v, axis=1)], axis=1)
    floor = np.minimum.accumulate(cs, axis=1)
    hi = np.argmax(cs - floor, axis=1)
    rows = np.arange(n)
    total = cs[rows, hi] - floor[rows, hi]
    masked = np.where(np.arange(nt + 1)[None, :] <= hi[:, None], cs, np.inf)
    lo = np.argmin(masked, axis=1)
    return lo, hi, total


def _chance_level(score: np.ndarray) -> float:
    """What the CHANCE_RANK-th best passage of a chunk scores: the level chance matches reach."""
    if len(score) < CHANCE_RANK:
        return 0.0
    return float(np.partition(-score, CHANCE_RANK - 1)[CHANCE_RANK - 1] * -1)


def _chunks(n: int) -> list[tuple[int, int]]:
    if n <= SINGLE:
        return [(0, n)]
    k = math.ceil(n / WINDOW)
    size = math.ceil(n / k)
    return [(i, min(n, i + size)) for i in range(0, n, size)]


def _open(index) -> tuple[Index, bool]:
    if isinstance(index, Index):
        return index, False
    if isinstance(index, (str, os.PathLike)):
        return Index.open(os.fspath(index)), True
    raise TypeError("index must be a path or an unspin.tracing.index.Index")


def trace(text: str, index, k: int = 5, *, evidence: bool = True, restore: bool = False,
          candidates: int = CANDIDATES) -> list[Match]:
    """Top-``k`` likely sources of ``text`` in ``index`` (a path or an opened :class:`Index`).

    ``evidence=False`` skips the word alignment (faster); ``restore=True`` also feeds the
    originals proposed by :func:`unspin.restore` into the query expansion.
    """
    if k < 1:
        raise UnspinError("k must be at least 1")
    idx, owned = _open(index)
    try:
        idx.load()
        return _trace(text, idx, k, evidence, restore, candidates)
    finally:
        if owned:
            idx.close()


def _restore_extra(text: str, tokens) -> dict[int, list[str]]:
    from ..restoration.restorer import restore as _restore

    extra: dict[int, list[str]] = {}
    try:
        r = _restore(text)
    except Exception:  # restoration is an extra signal only
        return extra
    for e in r.edits:
        words = [w.text for w in tokenize(e.original)]
        for i, t in enumerate(tokens):
            if t.start >= e.start and t.end <= e.end:
                extra.setdefault(i, []).extend(words)
    return extra


def _trace(text: str, idx: Index, k: int, evidence: bool, restore: bool, n_cand: int) -> list[Match]:
    tokens = tokenize(text)
    if not tokens or len(idx.seq) == 0:  # no words on one side: nothing can match
        return []
    extra = _restore_extra(text, tokens) if restore else None
    qa = expand_query(text, extra, tokens=tokens)
    if idx.n_passages < 5000:
        idx.learn_word_priors()
    found: dict[int, Found] = {}
    total_w = 0.0
    chunks = _chunks(len(tokens))
    for t0, t1 in chunks:
        res = _score_chunk(idx, qa, t0, t1, n_cand)
        if res is None:
            continue
        cand, score, best_pos, Q, lo_q, hi_q, gains = res
        # A long query (a page) is mostly not copied from any one source, and in each of its
        # chunks some short passage always matches a few words by chance. A document earns only
        # what it scores above that chance level (the chunk's CHANCE_RANK-th best score), so the
        # source of one copied paragraph is not outscored by documents that match a little of
        # every chunk. One chunk: nothing to subtract (the ranking would not change).
        floor = _chance_level(score) if len(chunks) > 1 else 0.0
        score = np.maximum(score - floor, 0.0)
        Q = max(Q - floor, 1e-9)
        total_w += Q
        docs = idx.pass_doc[cand]
        # best passage per document for this chunk
        order = np.lexsort((-score, docs))
        first = np.ones(len(order), dtype=bool)
        first[1:] = docs[order][1:] != docs[order][:-1]
        for j in order[first].tolist():
            if score[j] <= 0:
                continue
            f = found.setdefault(int(docs[j]), Found())
            f.score += float(score[j])
            f.gains.append((t0, gains[j]))
            f.passages.append((t0, t1, int(cand[j]), float(score[j]) / Q, (t0 + int(lo_q[j]), t0 + int(hi_q[j]))))
    if not found or total_w <= 0:
        return []
    out = []
    for d in cover(found, len(tokens), k):
        f = found[d]
        doc_id, url, date, src_text = idx.doc_record(d, text=evidence)
        shown = f.shown(MIN_PASSAGE_SHARE)
        m = Match(id=doc_id, score=float(max(0.0, min(1.0, f.score / total_w))), url=url, date=date,
                  share=share([run for *_, run in shown], tokens, len(text)))
        if evidence:
            # each passage shows the stretch of the query copied from it (its run, a few words
            # wider so that a weakly matched phrase swap at its edge is still aligned), not the
            # whole chunk
            m.passages = [
                align_passage(text, tokens, qa, max(t0, run[0] - RUN_MARGIN), min(t1, run[1] + RUN_MARGIN),
                              src_text, int(idx.pass_tok0[p]), int(idx.pass_len[p]), sc)
                for t0, t1, p, sc, run in shown
            ]
        out.append(m)
    return out


# ---------------------------------------------------------------------------------------------
# pairwise

def compare(query: str, source: str) -> Match:
    """Similarity and alignment of one text against one possible source (no index needed).

    The score uses general-English word rarity in place of an index's document frequencies.
    When the texts have nothing in common (or one has no words) the match has score 0 and no
    passages.
    """
    idx = Index.in_memory()
    try:
        idx.add([("source", Source(id="source", text=source))])
        idx.load()
        res = _trace(query, idx, 1, True, False, CANDIDATES)
    finally:
        idx.close()
    if res:
        return res[0]
    return Match(id="source", score=0.0)
