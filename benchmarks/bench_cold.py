"""Cold renders of one talk's .ics, one talk's page and one speaker's .ics on a generated
1,200-talk program (60 sessions of 20): the figures of docs/integrators/one-program.md.

    .venv/bin/python benchmarks/bench_cold.py [--runs 30]

Runs against a throw-away SQLite database (or DATABASE_URL's, which must be a scratch one: the
script migrates it and adds a conference "bench"). Before each request the public response
cache is emptied, so every request renders; it reports the median of `--runs` requests through
Django's test client (wall clock, and this process's CPU time, which a busy shared machine
disturbs less), and their queries.
"""

import argparse
import io
import statistics
import time

from scratch import setup_django

PROGRAM = {"days": 12, "sessions_per_day": 5, "talks_per_session": 20}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()

    scratch = setup_django()  # noqa: F841 -- the scratch database lives while it does
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from program.models import Talk

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("generate_program", slug="bench", stdout=io.StringIO(), **PROGRAM)
    talk = Talk.objects.filter(session__conference__slug="bench").order_by("pk")[600]
    speaker = talk.authorships.first().speaker
    paths = {
        "talk .ics": talk.get_calendar_url(),
        "talk page": talk.get_absolute_url(),
        "speaker .ics": speaker.get_calendar_url(),
    }
    client = Client()
    print(f"database: {connection.vendor}; {Talk.objects.count()} talks; median of {options.runs}")
    for name, path in paths.items():
        times, cpu = [], []
        for _ in range(options.runs + 1):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            assert response.status_code == 200, (path, response.status_code)
        # The first request warms Python's own caches (URL resolver, templates).
        wall, cpu = statistics.median(times[1:]) * 1000, statistics.median(cpu[1:]) * 1000
        print(f"{name:13} {wall:6.1f} ms wall  {cpu:6.1f} ms CPU  {len(queries)} queries")


if __name__ == "__main__":
    main()
