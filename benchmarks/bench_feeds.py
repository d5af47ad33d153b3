"""Time the calendar feeds on a generated 2,000-talk program (figures in docs/integrators/ical.md).

    .venv/bin/python benchmarks/bench_feeds.py [--runs 20] [--cold]

Runs against a throw-away SQLite database (or DATABASE_URL's, which must be a scratch one: the
script migrates it and adds a conference "bench"). It reports the first request (which builds the
feed: revisions were recorded when the program was generated), then the median and worst of the
polls that follow (served from the public cache; with --cold, each builds the feed again), and
their queries.
"""

import argparse
import statistics
import time

from scratch import setup_django


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold", action="store_true", help="empty the cache before each poll")
    options = parser.parse_args()

    scratch = setup_django()  # noqa: F841 -- the scratch database lives while it does
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from program.management.commands.generate_program import LARGE_PROGRAM

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("generate_program", slug="bench", **LARGE_PROGRAM)
    client = Client()

    def get():
        if options.cold:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get("/bench/calendar.ics")
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        return elapsed, len(queries), len(response.content)

    first, first_queries, size = get()
    polls = [get() for _ in range(options.runs)]
    times = [elapsed for elapsed, _, _ in polls]
    print(f"database: {connection.vendor}; feed: {size / 1024:.0f} KiB, 100 sessions, 2,000 talks")
    print(f"first request (builds the feed): {first * 1000:.0f} ms, {first_queries} queries")
    print(
        f"polls ({options.runs}): median {statistics.median(times) * 1000:.0f} ms, "
        f"worst {max(times) * 1000:.0f} ms, {polls[0][1]} queries each"
    )


if __name__ == "__main__":
    main()
