from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProgramConfig(AppConfig):
    name = "program"
    verbose_name = "Program"

    def ready(self):
        # Bookkeeping (calendar revisions, versions, change log) follows every write of the
        # program's models, speakers' included; see program/revisions.py.
        from program import revisions  # noqa: PLC0415 -- models must be loaded first

        revisions.connect()
        # The committee's group exists after every migrate, and after a test's flush.
        from program.committee import restore_committee_group  # noqa: PLC0415

        post_migrate.connect(restore_committee_group, dispatch_uid="restore_committee_group")
