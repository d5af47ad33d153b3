"""Capacity of the fleet through its load balancer: 1 and 2 app servers, 50 and 200 clients, warm
and cold cache, on a generated 1,200-talk program; then the cost of one cache miss and the
public cache's Redis memory per conference.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opml REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/bench_fleet.py [--seconds 5] [--port 8000]

It starts the fleet of deploy/ (deploy/fleet.py: HAProxy and gunicorns with 2 workers each),
generates the program once (slug "bench1200": 12 days of 5 sessions of 20 talks), and drives
each configuration for a few seconds with benchmarks/load.py's clients. "Warm": the pages are
in the cache; "cold": the Redis database is emptied every 50 ms during the run, so nearly every
request is a miss that renders (a query string no longer makes a miss: the public cache keys
only the parameters a page reads).
The Redis database of REDIS_URL is emptied: give the benchmark its own.
"""

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from fleet import Fleet, fleet_env, wait_until  # noqa: E402 -- deploy/fleet.py, a script
from load import drop, request  # noqa: E402 -- benchmarks/load.py, a script

SLUG = "bench1200"
SIZE = {"days": 12, "sessions_per_day": 5, "talks_per_session": 20}  # 1,200 talks
PATHS = [f"/{SLUG}/", f"/{SLUG}/sessions/7/", f"/{SLUG}/sessions/31/", "/opml20/"]


async def client(base, paths, deadline, offset, results):
    parts = urlsplit(base)
    connection, index = None, offset
    while time.monotonic() < deadline:
        path = paths[index % len(paths)]
        index += 1
        started = time.monotonic()
        try:
            if connection is None:
                connection = await asyncio.open_connection(parts.hostname, parts.port)
            status, close, _ = await asyncio.wait_for(
                request(*connection, parts.netloc, path, {"Accept-Encoding": "gzip"}), 30
            )
        except (OSError, TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            results["errors"] += 1
            connection = await drop(connection)
            continue
        results["latencies"].append(time.monotonic() - started)
        if status != 200:
            results["errors"] += 1
        if close:
            connection = await drop(connection)
    await drop(connection)


async def drive(base, clients, seconds, empty_cache):
    results = defaultdict(list) | {"errors": 0}
    deadline = time.monotonic() + seconds

    async def keep_empty():
        while time.monotonic() < deadline:
            await asyncio.to_thread(empty_cache)
            await asyncio.sleep(0.05)

    tasks = [client(base, PATHS, deadline, i, results) for i in range(clients)]
    if empty_cache is not None:
        tasks.append(keep_empty())
    await asyncio.gather(*tasks)
    return results


def measure(base, clients, seconds, empty_cache=None):
    started = time.monotonic()
    results = asyncio.run(drive(base, clients, seconds, empty_cache))
    elapsed = time.monotonic() - started
    latencies = sorted(results["latencies"])
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan"),
        "errors": results["errors"],
    }


def miss_cost(env):
    """Queries and milliseconds of one miss of the program page, in-process (test client)."""
    code = f"""
import statistics, time
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, times, counts = Client(), [], []
for _ in range(7):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        assert client.get("/{SLUG}/").status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    counts.append(len(queries))
started = time.perf_counter()
for _ in range(20):
    client.get("/{SLUG}/")
hit = (time.perf_counter() - started) * 1000 / 20
print(counts[-1], round(statistics.median(times)), round(hit, 1))
"""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env | {"ALLOWED_HOSTS": "testserver", "DEBUG": "false", "LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        check=True,
    )
    queries, miss_ms, hit_ms = result.stdout.split()[-3:]
    return int(queries), int(miss_ms), float(hit_ms)


def memory_per_conference(fleet, cache, slug):
    """Fill the cache with every page of the conference in the sitemap (plus its feed), then
    add up what Redis holds for them."""
    cache.flushdb()
    with urllib.request.urlopen(f"{fleet.url}/sitemap.xml") as response:
        sitemap = response.read().decode()
    paths = [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    paths = [p for p in paths if p.startswith(f"/{slug}/")] + [f"/{slug}/calendar.ics"]
    cache.flushdb()
    for path in paths:
        for encoding in ("gzip", "identity"):
            request = urllib.request.Request(
                fleet.url + path, headers={"Accept-Encoding": encoding}
            )
            with urllib.request.urlopen(request) as response:
                response.read()
    keys = list(cache.scan_iter(count=1000))
    used = sum(cache.memory_usage(key) or 0 for key in keys)
    return len(paths), len(keys), used


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--servers", default="1,2")
    parser.add_argument("--clients", default="50,200")
    args = parser.parse_args()
    env = fleet_env()
    if not env["DATABASE_URL"].startswith("postgres"):
        sys.exit("The fleet runs on PostgreSQL: set DATABASE_URL=postgres://…")
    env.setdefault("LOG_LEVEL", "WARNING")
    cache = redis.Redis.from_url(env["REDIS_URL"])
    setup = Fleet(env, servers=1, port=args.port)
    setup.prepare()
    setup.manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.core.management import call_command; "
        "from program.models import Conference\n"
        f"if not Conference.objects.filter(slug={SLUG!r}).exists():\n"
        f"    call_command('generate_program', slug={SLUG!r}, **{SIZE!r})",
    )
    print(f"database {env['DATABASE_URL']}, {os.cpu_count()} cores, {args.seconds:.0f} s each")
    print(
        f"{'servers':>7} {'clients':>7} {'cache':>5} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} err"
    )
    for servers in map(int, args.servers.split(",")):
        fleet = Fleet(env, servers=servers, port=args.port)
        try:
            fleet.start()
            if servers == 1:
                for slug in (SLUG, "opml20"):
                    pages, keys, used = memory_per_conference(fleet, cache, slug)
                    print(
                        f"Redis memory for {slug}: {pages} pages, {keys} keys, "
                        f"{used / 1e6:.1f} MB ({used / pages / 1e3:.0f} kB a page)"
                    )
            for clients in map(int, args.clients.split(",")):
                for cold in (False, True):
                    # An overloaded run may have had a server taken out: wait until all are in.
                    for index in range(servers):
                        wait_until(lambda f=fleet, i=index: f.server_state(i) == "UP", 60, "UP")
                    cache.flushdb()
                    if not cold:  # fill the cache first
                        measure(fleet.url, 4, 1)
                    figures = measure(
                        fleet.url, clients, args.seconds, cache.flushdb if cold else None
                    )
                    print(
                        f"{servers:>7} {clients:>7} {'cold' if cold else 'warm':>5}"
                        f" {figures['rps']:>7.1f} {figures['p50']:>7.0f} {figures['p99']:>7.0f}"
                        f" {figures['errors']}",
                        flush=True,
                    )
        finally:
            fleet.stop()
    queries, miss_ms, hit_ms = miss_cost(env)
    print(
        f"A miss of /{SLUG}/ (in-process): {queries} queries, {miss_ms} ms median; "
        f"a hit: {hit_ms} ms"
    )


if __name__ == "__main__":
    main()
