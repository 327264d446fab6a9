"""Load on `unspin serve`, over loopback only: requests/s and latency of /v1/detect.

Starts `unspin serve --host 127.0.0.1 --port 0` in a child process, then, for 1, 10 and 100
concurrent clients (httpx, async), sends 500-word texts to /v1/detect, each level bounded by a
request count and a time cap. Reports requests/s, p50/p99 latency, the slowest /healthz answer
while the 100 clients wait, the server's RSS before and after, and checks that malformed JSON
gets 422, an oversized body 413, and that no answer anywhere is a 500.

    PYTHONPATH=src python benchmarks/bench_serve.py            # ~2-4 minutes on 2 busy cores
    PYTHONPATH=src python benchmarks/bench_serve.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (ROOT / "examples" / "atmeh-raid.spun.txt").read_text(encoding="utf-8")


def texts_of_500_words(n: int) -> list[str]:
    """``n`` different 500-word texts: the example's paragraphs rotated, cut at 500 words."""
    paras = [p for p in EXAMPLE.split("\n\n") if p.strip()]
    out = []
    for i in range(n):
        words: list[str] = []
        k = i
        while len(words) < 500:
            words.extend(paras[k % len(paras)].split())
            k += 1
        out.append(" ".join(words[:500]))
    return out


def start_server(extra: list[str]) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    env.pop("UNSPIN_API_KEY", None)
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from unspin.cli import main; sys.exit(main())",
                             "serve", "--host", "127.0.0.1", "--port", "0", *extra],
                            stderr=subprocess.PIPE, text=True, env=env)
    for line in proc.stderr:
        m = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
        if m:
            return proc, m.group(1)
    raise SystemExit("unspin serve did not start")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def level(client: httpx.AsyncClient, texts: list[str], clients: int, count: int, cap_s: float,
                statuses: dict) -> dict:
    lat: list[float] = []
    health: list[float] = []
    queue = list(range(count))
    t0 = time.perf_counter()
    done = False

    async def worker():
        while queue and time.perf_counter() - t0 < cap_s:
            i = queue.pop()
            s = time.perf_counter()
            r = await client.post("/v1/detect", json={"id": i, "text": texts[i % len(texts)]})
            lat.append(time.perf_counter() - s)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    async def poll_health():
        while not done:
            s = time.perf_counter()
            r = await client.get("/healthz")
            health.append(time.perf_counter() - s)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            await asyncio.sleep(0.5)

    poller = asyncio.create_task(poll_health())
    await asyncio.gather(*(worker() for _ in range(clients)))
    wall = time.perf_counter() - t0
    done = True
    await poller
    lat.sort()
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else lat * 99
    return {"clients": clients, "requests": len(lat), "seconds": round(wall, 1),
            "req_per_s": round(len(lat) / wall, 2), "p50_s": round(statistics.median(lat), 3),
            "p99_s": round(q[98], 3), "healthz_max_s": round(max(health), 3) if health else None}


async def errors(client: httpx.AsyncClient, statuses: dict) -> dict:
    out = {}
    r = await client.post("/v1/detect", content=b'{"text": "unfinished', headers={"content-type": "application/json"})
    out["malformed_json"] = [r.status_code, r.json().get("error")]
    r = await client.post("/v1/detect", json={"text": "word " * 300_000})
    out["oversized_1.5MB"] = [r.status_code, r.json().get("error")]
    r = await client.post("/v1/detect", json={"txt": "wrong field"})
    out["wrong_field"] = [r.status_code, r.json().get("error")]
    for code in (out["malformed_json"][0], out["oversized_1.5MB"][0], out["wrong_field"][0]):
        statuses[code] = statuses.get(code, 0) + 1
    return out


async def main_async(args) -> dict:
    proc, url = start_server(["--timeout", str(args.timeout)])
    statuses: dict = {}
    try:
        result = {"rss_mb_start": round(rss_mb(proc.pid), 1), "cores": os.cpu_count(), "levels": []}
        texts = texts_of_500_words(50)
        plan = [(1, 5, 60), (10, 20, 90), (100, 100, 180)] if args.quick else [(1, 20, 120), (10, 60, 180),
                                                                              (100, 200, 300)]
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(base_url=url, timeout=args.timeout + 30, limits=limits) as client:
            result["errors"] = await errors(client, statuses)
            for clients, count, cap in plan:
                result["levels"].append(await level(client, texts, clients, count, cap, statuses))
                print(json.dumps(result["levels"][-1]), file=sys.stderr)
        result["rss_mb_end"] = round(rss_mb(proc.pid), 1)
        result["statuses"] = {str(k): v for k, v in sorted(statuses.items())}
        result["no_500"] = not any(k >= 500 and k != 503 for k in statuses) and 500 not in statuses
        return result
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    ap.add_argument("--timeout", type=float, default=600, help="the server's --timeout (default 600: measure, "
                                                                "do not shed load)")
    result = asyncio.run(main_async(ap.parse_args()))
    print(json.dumps(result, indent=2))
    return 0 if result["no_500"] else 1


if __name__ == "__main__":
    sys.exit(main())
