"""`manage.py static_stamp`: whether STATIC_ROOT already holds what collectstatic would put there.

Collecting and compressing the site's ~1,000 static files takes minutes on a small machine, and
they change far less often than the site is started. `make preview` asks first (exit status 0:
up to date, 1: collect), collects only when needed, then records the stamp with `--write`. The
stamp is a hash of every source file collectstatic would copy (names and contents, from every
finder: ours, the admin's, the API docs'), of the storage that writes them, and of whitenoise's
version (it compresses them). The tests key their own collected folder on the same hash."""

import hashlib
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management.base import BaseCommand

STAMP = ".sources-sha256"
IGNORED = ["CVS", ".*", "*~"]  # collectstatic's own default ignore patterns


def sources_hash():
    """The hash of what collectstatic would collect, as hex."""
    files = {}
    for finder in get_finders():
        for path, storage in finder.list(IGNORED):
            prefix = getattr(storage, "prefix", None) or ""
            files.setdefault(str(Path(prefix) / path), storage.path(path))  # first one wins
    digest = hashlib.sha256()
    digest.update(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    digest.update(version("whitenoise").encode())
    for name in sorted(files):
        digest.update(f"\0{name}\0".encode())
        digest.update(Path(files[name]).read_bytes())
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Exit 0 when STATIC_ROOT holds the collected files of the current static sources, "
        "1 otherwise; with --write, record that it does (after collectstatic)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Record the current sources.")

    def handle(self, *args, write=False, **options):
        stamp = Path(settings.STATIC_ROOT) / STAMP
        current = sources_hash()
        if write:
            stamp.write_text(current + "\n", encoding="utf-8")
            return
        if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == current:
            self.stdout.write("Static files unchanged since they were last collected.")
            return
        self.stdout.write("Static files changed since they were last collected (or never were).")
        raise SystemExit(1)
