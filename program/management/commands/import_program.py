"""`manage.py import_program PATH --conference SLUG`: read a program text into the database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from program.importer import apply_program
from program.parser import (
    MAX_PROGRAM_BYTES,
    ProgramFormatError,
    ProgramInputError,
    parse_program,
    read_program,
)


class Command(BaseCommand):
    help = (
        "Import a conference program written in USENIX's program text format. Runs in one "
        "transaction: on an error nothing is written. Running it again updates in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The program text file (UTF-8, at most 2 MB).")
        parser.add_argument(
            "--conference", required=True, help="Slug of the conference, created if missing."
        )
        parser.add_argument("--year", type=int, help="Year of the dates (default: from the title).")
        parser.add_argument(
            "--time-zone", help="IANA zone of the times (default: from the program's time note)."
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish what the import creates."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *args, **options):
        path = options["path"]
        try:
            with path.open("rb") as file:
                text = read_program(file.read(MAX_PROGRAM_BYTES + 1))
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        except ProgramInputError as error:
            raise CommandError(f"Cannot read {path}: {error.message}") from error
        try:
            parsed = parse_program(text, year=options["year"], time_zone=options["time_zone"])
            report = apply_program(
                parsed,
                options["conference"],
                publish=options["publish"],
                dry_run=options["dry_run"],
            )
        except ProgramInputError as error:
            option = error.option.replace("_", "-")
            raise CommandError(f"--{option}: {error.message} Nothing was imported.") from error
        except ProgramFormatError as error:
            raise CommandError(f"{path}, {error} Nothing was imported.") from error
        for line in report.lines(verbose=options["verbosity"] > 1):
            self.stdout.write(line)
