"""What the timing scripts share: Django set up on a throwaway SQLite database, unless
DATABASE_URL names another (bench_cold.py, bench_feeds.py, bench_import.py)."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django():
    """Set Django up, on a scratch database by default. Returns the scratch folder: keep it while
    the benchmark runs (it is removed when it is garbage-collected)."""
    sys.path.insert(0, str(ROOT))
    scratch = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch.name}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opml.settings")
    import django

    django.setup()
    return scratch
