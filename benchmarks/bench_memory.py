#!/usr/bin/env python3
"""Peak memory (RSS) of the CLI on big generated inputs: does it depend on the input's size?

    .venv/bin/python benchmarks/bench_memory.py [--sizes 20,100] [--breaks both|yes|no] [--timeout SECONDS]
        [--commands restore,detect,detect-fast,index-build,index-add]

Each run is a fresh child process (``unspin ...`` in-process in it); its peak RSS is the kernel's
high-water mark (``VmHWM`` in /proc, sampled, and ``ru_maxrss`` from ``wait4`` when it ends). Inputs
are repeated clean prose, with paragraph breaks or as one line with no break at all. ``--timeout``
(and ``--max-rss``) stops a run that has not finished (big inputs take long on a slow machine): it then reports the
peak so far and how far into its input it had read (the input file's read position), so a
streaming command shows a flat peak while it reads, where one that reads its input whole is
already at its peak; ``--json`` also records RSS every 10 s against how much had been read.
Results are recorded in docs/reliability.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: seconds between the (seconds, MB read, RSS MB) samples recorded in --json
SAMPLE_EVERY = 10.0

# Written for this benchmark (not from any data set).
PROSE = (
    "The city council met on Tuesday evening to discuss the new budget for the coming year. "
    "Members said the plan would raise spending on schools and roads, while cutting costs in other areas. "
    "Several residents spoke at the meeting and asked the council to keep the public library open on weekends.",
    "The mayor told reporters that the final vote will take place next month, after a second public hearing. "
    "Local business owners have welcomed the proposal, saying that better roads will help bring more visitors "
    "to the town centre.",
    "Some people worry that the changes could lead to higher taxes in the future, but officials said there are "
    "no plans for a tax increase. The council also agreed to start work on a new park near the river, which is "
    "expected to open in the spring.",
)

COMMANDS = {
    "restore": lambda f, tmp: ["restore", f],
    "detect": lambda f, tmp: ["detect", f],
    "detect-fast": lambda f, tmp: ["detect", "--fast", f],
    "index-build": lambda f, tmp: ["index", "build", os.path.dirname(f), "-o", os.path.join(tmp, "bench.index")],
    # adds the input to a small index made just before (not measured): see fresh_index
    "index-add": lambda f, tmp: ["index", "add", os.path.join(tmp, "add.index"), os.path.dirname(f)],
}


def _cli(src: str) -> tuple[list[str], dict]:
    return ([sys.executable, "-c", "import sys; from unspin.cli import main; sys.exit(main())"],
            dict(os.environ, PYTHONPATH=src))


def fresh_index(tmp: str, src: str) -> None:
    """A small index (one short document) for `index add` to add to, made anew for each run."""
    folder = os.path.join(tmp, "add-seed")
    os.makedirs(folder, exist_ok=True)
    Path(folder, "seed.txt").write_text(PROSE[0], encoding="utf-8")
    cmd, env = _cli(src)
    subprocess.run([*cmd, "index", "build", folder, "-o", os.path.join(tmp, "add.index"), "--force"],
                   env=env, check=True, stdout=subprocess.DEVNULL)


def make_input(folder: str, mb: int, breaks: bool) -> str:
    """A file of ``mb`` MB of prose: paragraphs with blank lines, or one line with no break."""
    path = os.path.join(folder, f"input-{mb}mb-{'breaks' if breaks else 'nobreak'}", "doc.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    sep = "\n\n" if breaks else " "
    block = sep.join(PROSE) + sep
    block = block * max(1, (1 << 20) // len(block))
    with open(path, "w", encoding="utf-8") as f:
        left = mb << 20
        while left > 0:
            f.write(block[:left])
            left -= len(block[:left])
    return path


def _mem_kb(pid: int, field: str = "VmHWM") -> int:
    """``VmHWM`` (peak RSS so far) or ``VmRSS`` (now) of a process, in kB (0: gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _read_position(pid: int, path: str) -> int | None:
    """How far the child has read into ``path`` (the file descriptor's offset), if it is open."""
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            if os.path.realpath(f"/proc/{pid}/fd/{fd}") == os.path.realpath(path):
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    return int(f.readline().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def measure(args: list[str], path: str, timeout: float, max_rss_mb: float, src: str) -> dict:
    cli, env = _cli(src)
    cmd = [*cli, *args]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, pos, stopped = 0, None, False
    samples, next_sample = [], 0.0
    while True:
        # wait4 (not Popen.poll) so the child's own ru_maxrss comes back with its status.
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, _mem_kb(p.pid))
        pos = _read_position(p.pid, path) or pos
        if time.monotonic() - t0 >= next_sample:  # does RSS climb as the input is read, or level off?
            next_sample += SAMPLE_EVERY
            samples.append([round(time.monotonic() - t0, 1), None if pos is None else round(pos / (1 << 20), 1),
                            round(_mem_kb(p.pid, "VmRSS") / 1024, 1)])
        if not stopped and (time.monotonic() - t0 > timeout or peak > max_rss_mb * 1024):
            stopped = True
            p.kill()
        time.sleep(0.2)
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode("utf-8", "replace").strip().splitlines()
    p.stderr.close()
    return {"peak_rss_mb": round(max(peak, usage.ru_maxrss) / 1024, 1), "seconds": round(time.monotonic() - t0, 1),
            "finished": not stopped, "exit": None if stopped else p.returncode,
            "read_mb": None if pos is None else round(pos / (1 << 20), 1),
            "stderr": err[-1] if err else "", "samples": samples}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="20,100", help="input sizes in MB, comma-separated (default 20,100)")
    ap.add_argument("--commands", default=",".join(COMMANDS), help=f"of {', '.join(COMMANDS)}")
    ap.add_argument("--breaks", choices=["both", "yes", "no"], default="both")
    ap.add_argument("--timeout", type=float, default=600.0, help="stop a run after this many seconds")
    ap.add_argument("--max-rss", type=float, default=3000.0, metavar="MB",
                    help="stop a run whose peak passes this (a shared machine; default 3000)")
    ap.add_argument("--src", default=str(ROOT / "src"), help="the package to measure (default: this tree's)")
    ap.add_argument("--json", help="also write the results here as JSON")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    commands = args.commands.split(",")
    unknown = set(commands) - set(COMMANDS)
    if unknown:
        ap.error(f"unknown command(s): {', '.join(sorted(unknown))}")
    breaks = {"both": [True, False], "yes": [True], "no": [False]}[args.breaks]
    rows = []
    print("command      size  breaks   peak RSS   seconds  finished  read")
    with tempfile.TemporaryDirectory(prefix="unspin-bench-mem-") as tmp:
        for mb in sizes:
            for br in breaks:
                path = make_input(tmp, mb, br)
                for c in commands:
                    if c == "index-add":
                        fresh_index(tmp, args.src)
                    r = measure(COMMANDS[c](path, tmp), path, args.timeout, args.max_rss, args.src)
                    r.update(command=c, size_mb=mb, breaks=br)
                    rows.append(r)
                    read = "" if r["read_mb"] is None else f"{r['read_mb']} MB"
                    print(f"{c:12} {mb:4}MB  {'yes' if br else 'no':6} {r['peak_rss_mb']:8.1f}MB {r['seconds']:8.1f}  "
                          f"{'yes' if r['finished'] else 'stopped'}  {read}  {r['stderr'] if r['exit'] else ''}",
                          flush=True)
                os.remove(path)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
