"""`manage.py expire_picks`: delete "my picks" lists nobody has edited or read for
PICKS_EXPIRE_DAYS days (run it daily, e.g. from cron).

Feed reads are never written to the database by the request that reads; they leave a mark in the
cache (program/picks.py, `note_read`). This command copies those marks into `last_read_at` and
then deletes the lists that are still unused. With a cache shared by every process (Redis), a list
a calendar still reads is kept; with the per-process local-memory cache this command cannot see
the web server's marks, and lists expire after PICKS_EXPIRE_DAYS without an edit. While Redis is
unreachable the command deletes nothing and fails, to be run again later.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from program.degrading_cache import CacheUnavailable
from program.picks import expire_unused


class Command(BaseCommand):
    help = "Delete pick lists neither edited nor read for PICKS_EXPIRE_DAYS days."

    def handle(self, *args, **options):
        try:
            deleted = expire_unused()
        except CacheUnavailable as error:
            raise CommandError(f"Nothing deleted: {error}.") from error
        days = settings.PICKS_EXPIRE_DAYS
        message = ngettext(
            "Deleted %(count)d pick list unused for %(days)d days.",
            "Deleted %(count)d pick lists unused for %(days)d days.",
            deleted,
        )
        self.stdout.write(message % {"count": deleted, "days": days})
