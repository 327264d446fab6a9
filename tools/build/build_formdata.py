#!/usr/bin/env python3
"""Build ``src/unspin/data/formdata.bin``: precomputed analyses, thesaurus originals and zipf
frequencies for frequent word forms (format: :mod:`unspin.lang.formdata`).

    .venv/bin/python -m tools.build.build_formdata [--form-zipf 2.0]

Forms: every lower-case, letters-and-apostrophes word of wordfreq's English list with zipf
>= ``--form-zipf``. Their values are computed by the very functions restore and detect use when a form
is not in the file (``analyses_uncached``, ``ThesaurusSource.compute_originals``,
``Scanner.compute_candidates``, ``TermSource._compute_reach``), with
the generator parameters the default ``Restorer`` passes, read from a constructed Restorer.
Deterministic given the inputs recorded in ``src/unspin/data/MANIFEST.json`` (the shipped
lexicon's sha256, lemminflect and wordfreq versions).
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from tools.build.build_lexicon import set_manifest_entry, sha256  # noqa: E402  (the build scripts' helpers)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "unspin" / "data"


def word_forms(form_zipf: float) -> list[str]:
    """Every lower-case, letters-and-apostrophes word of wordfreq's English list at least this frequent."""
    import wordfreq
    from wordfreq import zipf_frequency

    from unspin.lang.tokenize import WORD_RE

    forms = []
    for w in wordfreq.iter_wordlist("en"):
        if w == w.lower() and WORD_RE.fullmatch(w) and not any(ch.isdigit() for ch in w):
            if zipf_frequency(w, "en") >= form_zipf:
                forms.append(w)
    return sorted(set(forms))


def encode(forms: list[str], thesaurus, t0: float, scanner=None, terms=None,
           channel=None) -> tuple[list[str], dict, list[str], list[str]]:
    """Lemmas, analyses and thesaurus originals of every form, computed from scratch, as
    integer arrays over one interned string list: (strings, arrays, upos names, tag names).
    With ``scanner`` (a :class:`~unspin.detection.scan.Scanner`) and ``terms`` (a
    :class:`~unspin.restoration.sources.terms.TermSource`), also each form's scan candidates and
    term reach; with ``channel`` (the default restorer's), each form's channel prior."""
    import unspin.lang.morph as M
    from unspin.lang import formdata as F

    strings: list[str] = list(forms)
    sid = {s: i for i, s in enumerate(strings)}

    def intern(s: str) -> int:
        i = sid.get(s)
        if i is None:
            i = sid[s] = len(strings)
            strings.append(s)
        return i

    upos_names: list[str] = []
    tag_names: list[str] = []
    th_off, th, an_off, an, le_off, le = [0], [], [0], [], [0], []
    sc_off, sc, rc_off, rc = [0], [], [0], []
    pr_off, pr, pr_sup, pr_score, pr_ok = [0], [], [], [], []
    # reach entries index the term words (a few thousand: two bytes an entry)
    rw = sorted(terms._vocab) if terms is not None else []
    rw_index = {w: i for i, w in enumerate(rw)}
    assert len(rw) < 1 << 15

    def upos_id(upos: str) -> int:
        if upos not in upos_names:
            upos_names.append(upos)
        return upos_names.index(upos)

    for k, w in enumerate(forms):
        for upos, lems in M.lemmas_uncached(w).items():
            assert isinstance(lems, tuple)
            for lemma in lems:
                le.append(intern(lemma) << 2 * F.ANA_BITS | upos_id(upos) << F.ANA_BITS)
        le_off.append(len(le))
        for upos, lemma, tag in M.analyses_uncached(w):
            if tag not in tag_names:
                tag_names.append(tag)
            an.append(intern(lemma) << 2 * F.ANA_BITS | upos_id(upos) << F.ANA_BITS | tag_names.index(tag))
        an_off.append(len(an))
        for orig, flags in thesaurus.compute_originals(w):
            assert 0 < flags < 1 << F.FLAG_BITS
            th.append(intern(" ".join(orig)) << F.FLAG_BITS | flags)
        th_off.append(len(th))
        if scanner is not None:
            for cand, flags in scanner.compute_candidates(w):
                assert 0 <= flags < 1 << F.SCAN_BITS
                sc.append(intern(cand) << F.SCAN_BITS | flags)
            sc_off.append(len(sc))
        if terms is not None:
            for tw, strong in terms._compute_reach(w).items():
                rc.append(rw_index[tw] << 1 | int(strong))
            rc_off.append(len(rc))
        if channel is not None:
            entries = channel.prior((w,), wide=True)
            codes = [F.pack_support(c.support) for _, c in entries]
            ok = all(code is not None for code in codes)
            if ok:
                for (score, c), code in zip(entries, codes):
                    assert 0 <= c.flags < 1 << F.PRIOR_BITS
                    pr.append(intern(" ".join(c.words)) << F.PRIOR_BITS | c.flags)
                    pr_sup.append(code)
                    pr_score.append(score)
            pr_ok.append(int(ok))
            pr_off.append(len(pr))
        if k % 5000 == 0:
            print(f"{k}/{len(forms)} forms, {time.time() - t0:.0f} s", file=sys.stderr)
    assert len(upos_names) <= 1 << F.ANA_BITS and len(tag_names) <= 1 << F.ANA_BITS
    assert len(strings) < 1 << (32 - 2 * F.ANA_BITS)
    for s in strings:
        assert "\n" not in s and " ".join(s.split()) == s and s, repr(s)
    arrays = {"th_off": th_off, "th": th, "an_off": an_off, "an": an, "le_off": le_off, "le": le}
    if scanner is not None:
        arrays.update(sc_off=sc_off, sc=sc)
    if terms is not None:
        arrays.update(rc_off=rc_off, rc=rc, rw=[intern(w) for w in rw])
    if channel is not None:
        arrays.update(pr_off=pr_off, pr=pr, pr_sup=pr_sup, pr_score=pr_score, pr_ok=pr_ok)
    assert len(strings) < 1 << (32 - F.PRIOR_BITS)
    return strings, arrays, upos_names, tag_names


def string_arrays(strings: list[str]) -> dict:
    """The interned strings (offsets, blob) and their wordfreq zipf in hundredths."""
    from wordfreq import zipf_frequency

    zipf = []
    for s in strings:
        z = zipf_frequency(s, "en")
        c = int(round(z * 100))
        assert c / 100 == z, (s, z)  # wordfreq rounds to hundredths: stored exactly
        zipf.append(c)

    blob = ("\n".join(strings) + "\n").encode("utf-8")
    offs = [0]
    for s in strings:
        offs.append(offs[-1] + len(s.encode("utf-8")) + 1)
    return {"str_off": np.array(offs, dtype="<u4"), "str_blob": np.frombuffer(blob, dtype="u1"),
            "zipf": np.array(zipf, dtype="<i2")}


def write(out: Path, header: dict, arrays: dict) -> dict:
    """Write the file (magic, JSON header, aligned arrays); returns the header with offsets."""
    from unspin.lang import formdata as F

    def layout(h: dict) -> tuple[bytes, dict]:
        pos = None
        for _ in range(3):  # offsets depend on the header's own length: iterate to a fixed point
            hb = json.dumps(h, sort_keys=True).encode("utf-8")
            pos = 12 + len(hb)
            pos += -pos % 16
            h["arrays"] = {}
            for name, a in arrays.items():
                h["arrays"][name] = [pos, a.dtype.str, int(a.size)]
                pos += a.nbytes
                pos += -pos % 16
        hb = json.dumps(h, sort_keys=True).encode("utf-8")
        return hb, h

    hb, header = layout(header)
    with open(out, "wb") as f:
        f.write(F.MAGIC + len(hb).to_bytes(4, "little") + hb)
        for name, a in arrays.items():
            at = header["arrays"][name][0]
            f.write(b"\0" * (at - f.tell()))
            f.write(a.tobytes())
    return header


def record(out: Path, args, forms: list[str], strings: list[str], n_thesaurus: int, header: dict,
           n_scan: int = 0, n_reach: int = 0, n_prior: tuple[int, int] = (0, 0)) -> None:
    """The file's entry in MANIFEST.json."""
    set_manifest_entry("formdata.bin", {
        "built_by": "tools/build/build_formdata.py",
        "command": f"python -m tools.build.build_formdata --form-zipf {args.form_zipf}",
        "form_zipf": args.form_zipf,
        "forms": len(forms),
        "strings": len(strings),
        "thesaurus_entries": n_thesaurus,
        "scan_entries": n_scan,
        "reach_entries": n_reach,
        "prior_forms": n_prior[0],
        "prior_entries": n_prior[1],
        "generator": header["generator"],
        "inputs": {
            "lexicon.npz": {"sha256": header["lexicon_sha256"]},
            # Originals never proposed (unspin.lang.lexicon filters them before they get here).
            "blocklist.txt": {"sha256": sha256(OUT / "blocklist.txt")},
            "lemminflect": {"version": header["versions"]["lemminflect"]},
            # the scan and reach sections
            "ppdb.npz": {"sha256": header["scan"]["ppdb_sha256"]},
            "terms.tsv": {"sha256": header["reach"]["terms_sha256"]},
            # the prior section (the default restorer's channel)
            **{name: {"sha256": sha} for name, sha in header["prior"]["data"].items() if name != "blocklist.txt"},
            "pocketsphinx": {"version": header["scan"]["pocketsphinx"]},
            "wordfreq": {"version": header["versions"]["wordfreq"]},
        },
        "sha256": sha256(out),
    })


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--form-zipf", type=float, default=2.0, help="precompute forms at least this frequent")
    ap.add_argument("--out", default=str(OUT / "formdata.bin"))
    args = ap.parse_args()

    from wordfreq import zipf_frequency

    import unspin.lang.morph as M
    from unspin.lang import formdata as F
    from unspin.restoration.restorer import RestoreConfig, Restorer

    # Compute everything from scratch, whatever file is installed now.
    M.get_formdata = lambda: None
    M.analyses.cache_clear()
    M.lemmas.cache_clear()
    gen = Restorer(RestoreConfig(fingerprints=False, learned_table=False)).generator.thesaurus
    assert gen.lexicon.shipped
    gen.formdata = None
    # The detector's scan and the term source (default mode, shipped term list), computing
    # every form too.
    from unspin.detection import scan as S
    from unspin.restoration.sources import terms as T

    scanner = S.Scanner()
    scanner.formdata = None
    assert scanner.lm.shipped and scanner.lex.shipped and scanner.ppdb.shipped
    term_source = T.TermSource.shipped()
    term_source.use_formdata = False
    assert term_source._shipped_terms and not term_source.papers
    # The default restorer's channel (the shipped table, fingerprints and weights), computing
    # every prior: its thesaurus reads no form data, and forget() stops it reading the priors.
    restorer = Restorer(RestoreConfig())
    restorer.generator.thesaurus.formdata = None
    restorer.channel.forget()
    channel = restorer.channel

    t0 = time.time()
    forms = word_forms(args.form_zipf)
    strings, ints, upos_names, tag_names = encode(forms, gen, t0, scanner, term_source, channel)
    arrays = string_arrays(strings)
    for name in ("th_off", "th", "an_off", "an", "le_off", "le", "sc_off", "sc", "rc_off", "rw", "pr_off", "pr"):
        arrays[name] = np.array(ints[name], dtype="<u4")
    arrays["rc"] = np.array(ints["rc"], dtype="<u2")
    arrays["pr_sup"] = np.array(ints["pr_sup"], dtype="<u2")
    arrays["pr_score"] = np.array(ints["pr_score"], dtype="<f8")
    arrays["pr_ok"] = np.array(ints["pr_ok"], dtype="u1")
    # The lexicon's float32 zipf column, rounded to hundredths, is wordfreq's value for every
    # term (so :func:`unspin.lang.formdata.zipf` may read it): checked here, recorded in the header.
    lex = gen.lexicon
    for t, z in zip(lex.terms, lex.zipf.tolist()):
        assert int(round(z * 100)) / 100 == zipf_frequency(t, "en"), t
    lexicon_path = OUT / "lexicon.npz"
    header = {
        "format": F.FORMAT,
        "built_by": "tools/build/build_formdata.py",
        "form_zipf": args.form_zipf,
        "keys": len(forms),
        "strings": len(strings),
        "generator": {"min_zipf": gen.min_zipf, "need_flags": gen.need_flags},
        "lexicon_sha256": sha256(lexicon_path),
        "lexicon_zipf_exact_terms": len(lex.terms),
        "versions": {"lemminflect": md.version("lemminflect"), "wordfreq": md.version("wordfreq")},
        "upos": upos_names,
        "tags": tag_names,
        # what the optional sections were computed from (their readers compare it with theirs)
        "scan": {"word_candidates": S.WORD_CANDIDATES, "ppdb_candidates": S.PPDB_CANDIDATES,
                 "ppdb_sha256": sha256(OUT / "ppdb.npz"), "pocketsphinx": md.version("pocketsphinx")},
        "reach": {"terms_sha256": sha256(OUT / "terms.tsv"), "ppdb_sha256": sha256(OUT / "ppdb.npz"),
                  "max_links": T.MAX_LINKS, "min_words": T.MIN_WORDS, "max_words": T.MAX_WORDS},
        "prior": channel.signature(),
    }
    out = Path(args.out)
    header = write(out, header, arrays)
    # Round trip: the file reads back to what was computed.
    fd = F.FormData(str(out))
    for w in forms[:: max(1, len(forms) // 2000)]:
        assert fd.thesaurus(w) == gen.compute_originals(w), w
        assert fd.analyses(w) == M.analyses_uncached(w), w
        assert fd.lemmas(w) == M.lemmas_uncached(w), w
        assert fd.scan_candidates(w) == scanner.compute_candidates(w), w
        assert fd.reach(w) == term_source._compute_reach(w), w
    # ... and the priors decode to what the channel computes (through the reader restore uses).
    check = Restorer(RestoreConfig()).channel
    assert check.use_stored(fd)
    for w in forms[:: max(1, len(forms) // 5000)]:
        if fd.prior(w) is not None:
            assert check._stored_prior(w) == channel.prior((w,), wide=True), w
    record(out, args, forms, strings, len(ints["th"]), header, len(ints["sc"]), len(ints["rc"]),
           (sum(ints["pr_ok"]), len(ints["pr"])))
    print(f"{len(forms)} forms, {len(strings)} strings, {len(ints['th'])} thesaurus entries, {len(ints['an'])} analyses "
          f"-> {out} ({os.path.getsize(out) / 1e6:.1f} MB) in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
