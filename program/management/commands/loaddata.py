"""`manage.py loaddata`, recording the program's revisions once the whole fixture is in.

Django's own command saves row by row (raw, in no useful order); recorded one by one, a talk
would be "changed" by each of its authorships. Inside `revisions.deferred()` the fixture is
recorded once, at its end, in the same transaction: loading OpML '20 gives every event SEQUENCE 0
and one "published" entry in the change log."""

from django.core.management.commands import loaddata

from program import revisions


class Command(loaddata.Command):
    def handle(self, *fixture_labels, **options):
        with revisions.deferred():
            return super().handle(*fixture_labels, **options)
