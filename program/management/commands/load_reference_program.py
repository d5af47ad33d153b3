"""`manage.py load_reference_program`: the OpML '20 program, loaded once.

`make serve` runs it on every start; loading the fixture again would overwrite whatever the
committee changed since, so it loads only when the conference is not there yet."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from program.models import Conference

REFERENCE_SLUG = "opml20"


class Command(BaseCommand):
    help = "Load fixtures/opml20.json (the OpML '20 program) unless that conference exists."

    def handle(self, *args, **options):
        if Conference.objects.filter(slug=REFERENCE_SLUG).exists():
            self.stdout.write("The OpML '20 program is already loaded; left as it is.")
            return
        call_command("loaddata", "opml20", verbosity=options["verbosity"])
