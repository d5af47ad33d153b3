from django.apps import AppConfig


class ProgramConfig(AppConfig):
    name = "program"
    verbose_name = "Program"

    def ready(self):
        # Bookkeeping (calendar revisions, versions, change log) follows every write of the
        # program's models, speakers' included; see program/revisions.py.
        from program import revisions  # noqa: PLC0415 -- models must be loaded first

        revisions.connect()
