"""`manage.py record_revisions`: bring every conference's calendar revisions, change log and
version up to date with the database.

Nothing needs it in normal use (every write records itself); run it once after deploying this
version over a database whose feeds recorded revisions when read, or after changing program rows
by hand in SQL."""

from django.core.management.base import BaseCommand

from program import revisions
from program.models import Conference


class Command(BaseCommand):
    help = "Record the calendar revisions and versions of every conference."

    def handle(self, *args, **options):
        ids = list(Conference.objects.values_list("pk", flat=True))
        revisions.record_changes(ids)
        self.stdout.write(f"Recorded {len(ids)} conference(s).")
