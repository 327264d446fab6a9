"""The precomputed form data and the restore fast paths change speed only, never results."""

import hashlib
import importlib.metadata as md
import json
from pathlib import Path

import lemminflect
import pytest
from wordfreq import zipf_frequency

import unspin.lang.morph as M
import unspin.restoration.candidates as C
from unspin.restoration.sources.thesaurus import ThesaurusSource
from unspin.lang import formdata as F
from unspin.restoration.channel import Channel
from unspin.lang.lexicon import Lexicon, get_lexicon
from unspin.lang.lm import get_lm
from unspin.restoration.restorer import RestoreConfig, Restorer, get_restorer
from unspin.lang.tokenize import tokenize

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "unspin" / "data"
EXAMPLE = (ROOT / "examples" / "atmeh-raid.spun.txt").read_text(encoding="utf-8")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def fd():
    fd = F.get_formdata()
    assert fd is not None, "formdata.bin missing or built with other lemminflect/wordfreq versions"
    return fd


def plain_generator(gen):
    """A generator like ``gen`` that computes everything on the fly, without prefilter."""
    th = gen.thesaurus
    plain = C.CandidateGenerator(ThesaurusSource(th.lexicon, min_zipf=th.min_zipf, need_flags=th.need_flags),
                                 gen.sources, max_words=gen.max_words)
    plain.thesaurus.formdata = None
    return plain


def test_built_for_the_shipped_pipeline(fd):
    gen = get_restorer(RestoreConfig()).generator.thesaurus
    assert gen.formdata is fd  # same generator parameters, shipped lexicon
    assert (fd.min_zipf, fd.need_flags) == (gen.min_zipf, gen.need_flags)
    assert fd.header["lexicon_sha256"] == sha256(DATA / "lexicon.npz")
    for pkg in ("lemminflect", "wordfreq"):
        assert fd.header["versions"][pkg] == md.version(pkg)
    manifest = json.loads((DATA / "MANIFEST.json").read_text())
    entry = manifest["formdata.bin"]
    assert entry["sha256"] == sha256(DATA / "formdata.bin")
    assert entry["inputs"]["lexicon.npz"]["sha256"] == manifest["lexicon.npz"]["sha256"]
    assert manifest["lexicon.npz"]["inputs"]["wordfreq"]["version"] == md.version("wordfreq")


def test_other_parameters_or_lexicon_compute_on_the_fly(fd):
    gen = get_restorer(RestoreConfig()).generator.thesaurus
    other = ThesaurusSource(gen.lexicon, min_zipf=gen.min_zipf + 0.5, need_flags=gen.need_flags)
    assert other.formdata is None
    own = ThesaurusSource(Lexicon(DATA / "lexicon.npz"), min_zipf=gen.min_zipf, need_flags=gen.need_flags)
    assert own.formdata is None


def sample_forms(fd, step=97):
    keys = list(fd._key_index)
    words = {t.lower for t in tokenize(EXAMPLE)} & set(keys)
    return sorted(set(keys[::step]) | words)


def test_precomputed_equals_on_the_fly(fd):
    gen = get_restorer(RestoreConfig()).generator
    plain = plain_generator(gen)
    forms = sample_forms(fd)
    assert len(forms) > 900
    for w in forms:
        assert fd.thesaurus(w) == plain.thesaurus.compute_originals(w), w
        assert fd.analyses(w) == M.analyses_uncached(w), w
        assert fd.lemmas(w) == M.lemmas_uncached(w), w
        assert fd.thesaurus(w) == gen.thesaurus.originals(w)
        for orig, _ in fd.thesaurus(w)[:5]:
            assert F.zipf(orig) == zipf_frequency(" ".join(orig), "en"), orig
        assert F.zipf((w,)) == zipf_frequency(w, "en"), w


def test_zipf_of_other_strings_is_wordfreqs():
    lex = get_lexicon()
    for t in lex.terms[::1000] + ["carried out", "zzyzx", "bushfire's", "in order to"]:
        words = tuple(t.split())
        assert F.zipf(words) == zipf_frequency(t, "en"), t


def test_inflection_mirror_equals_lemminflect():
    lex = get_lexicon()
    tags = ["VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "NN", "NNS", "NNP", "NNPS", "JJ", "JJR", "JJS",
            "RB", "RBR", "RBS", "MD"]
    words = [t for t in lex.terms[::150] if " " not in t] + ["be", "have", "go", "good", "child", "Paris"]
    for w in words:
        for tag in tags:
            assert M._inflection(w, tag) == lemminflect.getInflection(w, tag=tag), (w, tag)


def spans(text: str, max_n: int = 4):
    words = [t.lower for t in tokenize(text)]
    out = []
    for i in range(len(words)):
        for n in range(1, max_n + 1):
            if i + n <= len(words):
                out.append(tuple(words[i:i + n]))
    return list(dict.fromkeys(out))


@pytest.mark.parametrize("config", [RestoreConfig(), RestoreConfig(fingerprints=False, learned_table=False)])
def test_priors_unchanged_by_prefilter_and_form_data(config):
    """Channel priors with the fast generator equal those of a plain one (no precomputed
    data, no prefilter): the prefilter drops only what Channel.plausible rejects."""
    r = Restorer(config)
    plain_channel = Channel(get_lm(), plain_generator(r.generator), r.weights)
    text = EXAMPLE + " The company's chief executives carried out tests. Hundreds of Americans have been forced."
    checked = 0
    for span in spans(text):
        fast, slow = r.channel.prior(span), plain_channel.prior(span)
        assert fast == slow, span
        assert r.generator.may_have(span) == plain_generator(r.generator).may_have(span) if len(span) > 1 else True
        checked += bool(slow)
    assert checked > 100


def test_may_have_and_learned_gate():
    r = get_restorer(RestoreConfig())
    gen = r.generator
    lex = gen.lexicon

    def may_have_reference(words):
        if words in gen.fingerprints or (gen.table is not None and gen.table.lookup(words)):
            return True
        if any(s.name in ("periphrase", "term") and s.propose(words) for s in gen.sources):
            return True
        if " ".join(words) in lex:
            return True
        rest = " ".join(words[1:])
        return any(u == "VERB" and f"{lemma} {rest}" in lex for u, lemma, _ in M.analyses(words[0]))

    probes = spans(EXAMPLE) + [tuple(k) for k in list(gen.fingerprints)[:200]]
    probes += [("carried", "out"), ("at", "the", "least"), ("in", "order", "to"), ("grew", "to", "be")]
    probes += [tuple(k) for k in gen.table.spun_sides()]
    for span in probes:
        if len(span) > 1:
            assert gen.may_have(span) == may_have_reference(span), span
        if not gen.may_have_exact_learned(span):
            assert not any(c.exact for c in plain_generator(gen).candidates(span)), span


def test_restore_unchanged_without_form_data(monkeypatch):
    """The same restorations with every form computed on the fly."""
    fast = Restorer(RestoreConfig())
    slow = Restorer(RestoreConfig())
    slow.generator.thesaurus.formdata = None
    slow.generator.prefilter(None, None)  # no prefilter either
    a, b = fast.restore(EXAMPLE), slow.restore(EXAMPLE)
    assert a.text == b.text and a.edits == b.edits


def test_scan_and_reach_sections_equal_the_computed_ones(fd):
    """The detector scan's candidates and the term source's reach, read from the file, equal
    what they compute for the same forms (and the file is used by the shipped pipelines)."""
    from unspin.detection.scan import Scanner
    from unspin.restoration.sources.ppswords import load_pairs
    from unspin.restoration.sources.terms import TermSource

    scanner = Scanner()
    terms = TermSource.shipped(load_pairs())
    assert scanner.formdata is fd and terms.formdata is fd
    manifest = json.loads((DATA / "MANIFEST.json").read_text())["formdata.bin"]["inputs"]
    assert fd.header["reach"]["terms_sha256"] == sha256(DATA / "terms.tsv") == manifest["terms.tsv"]["sha256"]
    assert fd.header["scan"]["ppdb_sha256"] == sha256(DATA / "ppdb.npz") == manifest["ppdb.npz"]["sha256"]
    forms = sample_forms(fd)
    assert len(forms) > 900
    nonempty = 0
    for w in forms:
        assert fd.scan_candidates(w) == scanner.compute_candidates(w), w
        got = fd.reach(w)
        assert got == terms._compute_reach(w), w
        nonempty += bool(got)
    assert nonempty > 100


def test_reach_section_is_not_used_for_other_term_lists_or_the_papers_option(fd):
    from unspin.restoration.sources.ppswords import load_pairs
    from unspin.restoration.sources.terms import TermSource, load_terms

    assert TermSource.shipped(load_pairs(), papers=True).formdata is None  # its reach has the swaps
    other = TermSource.shipped(load_pairs())
    other.set_terms({("random", "forest"): 3})
    assert other.formdata is None and other.reach("woods") == {"forest": True}
    mine = TermSource(dict(load_terms()))
    assert mine.formdata is None
    assert TermSource(load_terms(), lexicon=get_lexicon()).formdata is None


def test_scan_section_is_not_used_with_other_tables(fd):
    from unspin.detection.scan import Scanner
    from unspin.lang.ppdb import Ppdb

    assert Scanner(lexicon=Lexicon(DATA / "lexicon.npz")).formdata is None
    assert Scanner(ppdb=Ppdb(DATA / "ppdb.npz")).formdata is None


def test_prior_section_equals_the_computed_priors(fd):
    """A single word's channel prior read from the file equals the one the channel computes
    (every candidate, its evidence and its score), and the default pipeline reads it."""
    r = Restorer(RestoreConfig())
    assert r.channel.stored is fd
    computing = Restorer(RestoreConfig())
    computing.generator.thesaurus.formdata = None
    computing.channel.forget()
    assert computing.channel.stored is None
    manifest = json.loads((DATA / "MANIFEST.json").read_text())["formdata.bin"]
    assert fd.header["prior"] == r.channel.signature()
    for name, sha in fd.header["prior"]["data"].items():
        assert sha == sha256(DATA / name) == manifest["inputs"][name]["sha256"], name
    stored = supported = 0
    # ... and every fact word (unspin.lang.factwords: its rules change what priors hold)
    from unspin.lang.factwords import DIRECTIONS, NUMBERS, ORDINALS, shipped_units

    facts = set(NUMBERS) | set(ORDINALS) | set(DIRECTIONS) | {w + "s" for w in NUMBERS}
    facts |= {w for u in shipped_units() for w in (u, u + "s") if " " not in u}
    for w in sorted(set(sample_forms(fd)) | (facts & set(fd._key_index))):
        got = r.channel._stored_prior(w)
        if got is None:
            continue
        stored += 1
        supported += any(c.support for _, c in got)
        assert got == computing.channel.prior((w,), wide=True), w
    assert stored > 900 and supported > 100


@pytest.mark.parametrize("config", [RestoreConfig(fingerprints=False), RestoreConfig(learned_table=False),
                                    RestoreConfig(threshold=1.0), RestoreConfig(pps_words=True),
                                    RestoreConfig(weights=(("ppdb", 1.0),))])
def test_prior_section_is_not_used_by_other_pipelines(fd, config):
    assert Restorer(config).channel.stored is None


def test_prior_section_is_dropped_when_sources_change(fd):
    from unspin.restoration.table import SubstitutionTable

    assert Restorer(RestoreConfig(), table=SubstitutionTable()).channel.stored is None
    r = Restorer(RestoreConfig())
    assert r.channel.stored is fd
    r.generator._by_name["fingerprint"].phrases = {("counterfeit",): ("artificial",)}
    r.channel.forget()  # what code that changes a source's data must call
    assert r.channel.stored is None
    assert [c.words for _, c in r.channel.prior(("counterfeit",))][0] == ("artificial",)
