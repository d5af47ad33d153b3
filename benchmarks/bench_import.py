"""Time the program importer on a generated 10,000-talk program text
(figures in docs/committee/import.md).

    .venv/bin/python benchmarks/bench_import.py [--days 50]

Generates the text in the OpML '20 seed's format (program/management/commands/generate_program.py:
program_text), then times parsing it, a dry run into an empty database, the import itself, and
importing it again (nothing changes). Runs against a throw-away SQLite database (or DATABASE_URL's,
which must be a scratch one: the script migrates it and adds a conference "bench").
"""

import argparse
import time

from scratch import setup_django


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, help="Days of 4 sessions of 50 talks (default 50).")
    options = parser.parse_args()

    scratch = setup_django()  # noqa: F841 -- the scratch database lives while it does
    # Local imports: the settings and the scratch database must be chosen before models load.
    from django.core.management import call_command
    from django.db import connection

    from program.importer import apply_program
    from program.management.commands.generate_program import LARGE_PROGRAM_TEXT, program_text
    from program.parser import parse_program

    call_command("migrate", verbosity=0)
    size = LARGE_PROGRAM_TEXT | ({"days": options.days} if options.days else {})
    text = program_text(**size)

    def timed(label, function):
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            start = time.perf_counter()
            result = function()
            elapsed = time.perf_counter() - start
        print(f"{label:<32} {elapsed:7.2f} s  {len(queries):>7,} queries")
        return result

    parsed = timed("parse", lambda: parse_program(text))
    talks = sum(len(session.talks) for session in parsed.sessions)
    print(
        f"database: {connection.vendor}; text: {len(text.encode()) / 1e6:.2f} MB, "
        f"{len(parsed.sessions)} sessions, {talks:,} talks"
    )
    timed("dry run (empty database)", lambda: apply_program(parsed, "bench", dry_run=True))
    report = timed("apply (empty database)", lambda: apply_program(parsed, "bench"))
    assert len(report.created["talk"]) == talks
    report = timed("import again (nothing changes)", lambda: apply_program(parsed, "bench"))
    assert not report.changed
    timed("dry run again", lambda: apply_program(parsed, "bench", dry_run=True))


if __name__ == "__main__":
    main()
