"""What a screening job has done (the manifest) and what it found (the summary).

The manifest is a JSON Lines file: its first line holds the job's settings (a resumed run must
cut the same units and add the same fields), written atomically when the job starts; each
finished shard appends one line with its unit's statistics (flushed to disk), after the shard is
in place. Appending keeps the cost of recording a unit constant: rewriting the whole file after
every shard made a 1 GB job (32,000 units) spend most of its time in the parent rewriting a
3 MB manifest. A line cut short by a crash is the last one, and is ignored: its unit is done
again and its shard replaced. The summary is the sum of the statistics, so a resumed job reports
the whole corpus, not only what its last run did. (A manifest of the earlier format, one JSON
object, is read and rewritten in this one.)
"""

from __future__ import annotations

import json
import os

from ..errors import UnspinError, UsageError
from .formats import atomic_path

MANIFEST = "_manifest.json"
BINS = 10  # score histogram: [0, 0.1), ..., [0.9, 1.0]


def unit_stats(records: list[dict], bad: list[str], text_field: str, thresholds: list[float]) -> dict:
    """Statistics of one annotated unit (words: whitespace-separated tokens of the text)."""
    hist = [0] * BINS
    flagged = [0] * len(thresholds)
    words = nbytes = 0
    for r in records:
        text = r.get(text_field)
        if isinstance(text, str):
            words += len(text.split())
            nbytes += len(text.encode("utf-8"))
        score = r.get("spin_score")
        if isinstance(score, (int, float)):
            hist[min(int(score * BINS), BINS - 1)] += 1
            for i, t in enumerate(thresholds):
                flagged[i] += score >= t
    return {"documents": len(records), "words": words, "text_bytes": nbytes, "bad": bad,
            "histogram": hist, "flagged": flagged}


def summarize(units: dict[str, dict], thresholds: list[float], *, elapsed: float, run_documents: int,
              run_bytes: int, scored: bool, **extra) -> dict:
    """The job's summary: totals over ``units``; the rates are of this run (``run_*``)."""
    docs = sum(u["documents"] for u in units.values())
    hist = [sum(u["histogram"][i] for u in units.values()) for i in range(BINS)]
    bad = [b for _, u in sorted(units.items()) for b in u["bad"]]
    out = {
        "documents": docs,
        "words": sum(u["words"] for u in units.values()),
        "text_mb": round(sum(u["text_bytes"] for u in units.values()) / 1e6, 3),
        "bad_records": len(bad),
        "bad": bad,
        "units": len(units),
    }
    if scored:
        out["flagged_share"] = {f"{t:g}": round(sum(u["flagged"][i] for u in units.values()) / docs, 4)
                                if docs else 0.0 for i, t in enumerate(thresholds)}
        out["score_histogram"] = {"bins": [round(i / BINS, 2) for i in range(BINS + 1)], "counts": hist}
    out.update(elapsed_s=round(elapsed, 2), run_documents=run_documents,
               docs_per_s=round(run_documents / elapsed, 2) if elapsed > 0 else None,
               mb_per_s=round(run_bytes / 1e6 / elapsed, 4) if elapsed > 0 else None)
    out.update(extra)
    return out


def write_json(path: str, obj: dict) -> None:
    """``obj`` as JSON at ``path``, atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, indent=1)
            f.write("\n")


class Manifest:
    """The done units of a job in ``folder``; ``job``: the settings that must not change on resume."""

    def __init__(self, folder: str, job: dict):
        self.path = os.path.join(folder, MANIFEST)
        self.job = job
        self.units: dict[str, dict] = {}
        self._started = False

    @classmethod
    def load(cls, folder: str, job: dict) -> "Manifest":
        """The manifest in ``folder`` (an empty one if there is none); a usage error if it was
        written for other settings (resuming would mix two jobs)."""
        m = cls(folder, job)
        try:
            with open(m.path, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            return m
        except (OSError, UnicodeDecodeError) as e:
            raise UnspinError(f"{m.path}: unreadable manifest ({e}); start again with --overwrite") from None
        data = _parse(m.path, text)
        if data.get("job") != job:
            diff = sorted(k for k in set(job) | set(data.get("job", {})) if data.get("job", {}).get(k) != job.get(k))
            raise UsageError(f"{m.path}: written by a job with other settings ({', '.join(diff)}); "
                             "resume with the same command, or start again with --overwrite")
        m.units = data.get("units", {})
        m._start()  # rewritten whole once: the earlier format, or a line cut short, is gone
        return m

    def _start(self) -> None:
        with atomic_path(self.path) as tmp:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(json.dumps({"job": self.job}, ensure_ascii=False) + "\n")
                for key, stats in self.units.items():
                    f.write(_unit_line(key, stats))
        self._started = True

    def done(self, key: str, stats: dict) -> None:
        self.units[key] = stats
        if not self._started:
            self._start()
            return
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(_unit_line(key, stats))
            f.flush()
            os.fsync(f.fileno())


def _unit_line(key: str, stats: dict) -> str:
    return json.dumps({"unit": key, "stats": stats}, ensure_ascii=False) + "\n"


def _parse(path: str, text: str) -> dict:
    """``{"job", "units"}`` from a manifest's text, either format; a last line cut short by a
    crash is left out (its unit is not done)."""
    try:
        data = json.loads(text)
        if isinstance(data, dict) and "units" in data:
            return data  # the earlier format: one object, rewritten whole after every unit
    except ValueError:
        pass
    lines = text.splitlines()
    out: dict = {"units": {}}
    for i, line in enumerate(lines):
        try:
            row = json.loads(line)
        except ValueError:
            if i == len(lines) - 1 and i > 0:
                break
            raise UnspinError(f"{path}:{i + 1}: unreadable manifest line; start again with --overwrite") from None
        if i == 0:
            out["job"] = row.get("job")
        else:
            out["units"][row["unit"]] = row["stats"]
    return out
