"""Where candidate originals come from: the :class:`CandidateSource` protocol and :class:`Candidate`.

A source proposes originals for a spun span and states how strongly it supports each one.
The shipped sources, in the order their evidence is merged and named:

  * ``fingerprint`` (:mod:`.fingerprint`): the tortured-phrase list;
  * ``table`` (:mod:`.table`): substitutions learned from aligned (spun, original) pairs;
  * ``periphrase`` (:mod:`.phrases`): wordy multi-word forms of plain words ("for the reason
    that" -> "because"), from the project's grammar table ``data/periphrases.tsv``;
  * ``ppdb`` (:mod:`.ppdb`): PPDB's paraphrases of a single word, with PPDB's ranks;
  * ``term`` (:mod:`.terms`): a span composed word by word towards a listed field term;
  * ``pps_word`` (:mod:`.ppswords`, the papers option, off by default): the tortured-phrase
    list's word swaps ("disappointment" -> failure);
  * ``thesaurus`` (:mod:`.thesaurus`): Moby and WordNet neighbours, re-inflected; its evidence
    is named by the relation that links the two words (``moby``, ``wordnet``).

:class:`~unspin.restoration.candidates.CandidateGenerator` merges them: one
:class:`Candidate` per original, holding the thesaurus relation flags and, per other source
that proposed it, that source's strengths. A candidate some non-thesaurus source supports is
*supported*: the channel's hard filter and its penalties for unsupported edits
(:class:`~unspin.restoration.channel.Channel`) apply to thesaurus-only candidates alone.

What adding a source (say PPDB) takes:

  1. one module here with a class that satisfies :class:`CandidateSource` (``name``,
     ``weights``, ``propose``, ``features``, ``spun_sides``, ``exact``, ``possessive``);
  2. its weight field(s) in :class:`~unspin.restoration.channel.Weights`, named as its
     ``features`` names them, with their default values; the channel adds terms in the order
     Weights declares them, so place them with the other sources' fields;
  3. registering it: add an instance to the list :func:`unspin.restoration.restorer.build_sources`
     returns (its position there is the order of its evidence name in every edit).

Nothing else changes: the generator merges it, the channel sums its features (tests check
that each source's features are Weights fields), ``tools/fit/tune_restore.py`` fits its weights,
``data/weights.json`` and ``RestoreConfig.weights`` override them by name. The thesaurus is
the one specialised source: its candidates are nearly all of them, so the generator, the
channel and ``may_have`` keep fast paths written for it (each says so).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

Strengths = tuple[float, ...]  # what one source states for one candidate (its own layout)


def shipped_text(name: str) -> str | None:
    """The text of the shipped data file ``unspin/data/NAME`` (None when it is absent)."""
    from importlib import resources

    try:
        return (resources.files("unspin") / "data" / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


@dataclass(frozen=True, slots=True)
class Candidate:
    words: tuple[str, ...]   # the original reading, lower-case
    flags: int = 0           # thesaurus relation flags (unspin.lang.lexicon): the thesaurus's evidence
    # (source name, strengths) of every other source that proposed this original, in the
    # order the sources are registered; empty for a thesaurus-only candidate.
    support: tuple[tuple[str, Strengths], ...] = ()
    exact: bool = False      # a source vouches for this exact substitution (not only its lemmas)
    # A source whose support takes the document's boldness in full supports it (see
    # CandidateSource.bold); False: only the share thesaurus-only candidates get.
    bold: bool = True

    def strengths(self, name: str) -> Strengths | None:
        """What source ``name`` stated for this candidate (None: it did not propose it)."""
        for n, s in self.support:
            if n == name:
                return s
        return None


class CandidateSource(Protocol):
    """A source of candidate originals other than the thesaurus (which is specialised, see
    :mod:`.thesaurus`).

    Proposals are ``(original words, strengths)``; the generator merges the strengths that
    several proposals of one original give by element-wise ``max``, and keeps a proposal only
    if some strength is non-zero.
    """

    name: str                   # named in the evidence of every edit it supports
    weights: tuple[str, ...]    # the Weights fields (channel features) it contributes
    possessive: bool            # its support for "x" carries over to "x's"
    # Optional (default True): whether its support alone earns a candidate the document's full
    # boldness (Restorer._lattice); a source as loose as the thesaurus says False.
    bold: bool

    def propose(self, words: tuple[str, ...]) -> Iterable[tuple[tuple[str, ...], Strengths]]:
        """Originals for the span ``words`` (lower-case), with their strengths. A span of
        several words gets proposals only if it is one of :meth:`spun_sides`."""
        ...

    def spun_sides(self) -> Iterable[tuple[str, ...]]:
        """Every span this source proposes an exact substitution for."""
        ...

    def exact(self, strengths: Strengths) -> bool:
        """Whether these strengths vouch for the exact substitution: then the candidate may
        edit a protected token (a name, a number) or a word the language model never saw."""
        ...

    def features(self, spun: tuple[str, ...], c: Candidate) -> dict[str, float]:
        """Its channel features for ``c`` replaced by ``spun`` (keys: its ``weights``)."""
        ...
