"""Time the public pages: median and 95th-percentile milliseconds per page.

    .venv/bin/python benchmarks/bench_pages.py            # OpML '20 (the fixture)
    .venv/bin/python benchmarks/bench_pages.py --large    # plus a generated 2,000-talk program
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opml .venv/bin/python benchmarks/bench_pages.py
    .venv/bin/python benchmarks/bench_pages.py --cached   # cache hits instead of renders

It builds a throwaway test database (in memory on SQLite, test_<name> on PostgreSQL), loads the
fixture, and requests each page through Django's test client: the full stack (URL routing,
middleware, queries, templates) without a network or a web server. By default the public
response cache is emptied before each request, so the figures are those of a render (a miss).
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opml.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases  # noqa: E402

from program.management.commands.generate_program import LARGE_PROGRAM  # noqa: E402


def pages(slug):
    """The URL of each kind of public page of conference `slug`."""
    from program.models import Conference, Talk
    from speakers.models import Speaker

    conference = Conference.objects.get(slug=slug)
    session = conference.sessions.order_by("number")[conference.sessions.count() // 2]
    talk = Talk.objects.filter(session=session).first()
    authorship = talk.authorships.select_related("speaker", "affiliation").first()
    speaker = Speaker.objects.get(pk=authorship.speaker_id)
    return {
        "program": conference.get_absolute_url(),
        "session": session.get_absolute_url(),
        "talk": talk.get_absolute_url(),
        "speaker": speaker.get_absolute_url(),
        "affiliation": authorship.affiliation.get_absolute_url(),
        "search": "/search/?q=learning",
        "sitemap": "/sitemap.xml",
    }


def measure(client, url, runs, *, cold):
    """Median and 95th percentile of wall-clock ms, and median CPU ms of this process (steadier
    than wall-clock when other work shares the machine). With `cold`, the public response cache
    is emptied before each request, so every one renders the page."""
    for _ in range(3):  # warm caches (templates, URL resolver)
        client.get(url)
    wall, cpu = [], []
    for _ in range(runs):
        if cold:
            cache.clear()
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    wall.sort()
    return statistics.median(wall), wall[int(len(wall) * 0.95) - 1], statistics.median(cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="requests per page (default 50)")
    parser.add_argument("--large", action="store_true", help="also time a 2,000-talk program")
    parser.add_argument(
        "--cached", action="store_true", help="time cache hits (default: render every request)"
    )
    args = parser.parse_args()

    # As in production: no query log, no test instrumentation of template rendering.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    setup_databases(verbosity=0, interactive=False)
    call_command("loaddata", "opml20", verbosity=0)
    programs = {"OpML '20": "opml20"}
    if args.large:
        call_command("generate_program", slug="large", stdout=io.StringIO(), **LARGE_PROGRAM)
        programs["generated, 2,000 talks"] = "large"

    client = Client()
    print(
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"{args.runs} requests per page"
    )
    for label, slug in programs.items():
        print(f"\n{label}\n{'page':<12} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8}")
        for name, url in pages(slug).items():
            median, p95, cpu = measure(client, url, args.runs, cold=not args.cached)
            print(f"{name:<12} {median:>10.1f} {p95:>8.1f} {cpu:>8.1f}")


if __name__ == "__main__":
    main()
