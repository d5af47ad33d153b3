from django.apps import AppConfig
from django.core.signals import request_finished


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Operations"

    def ready(self):
        from ops import checks, requestid  # noqa: F401, PLC0415 -- registers checks once apps load

        request_finished.connect(requestid.forget, dispatch_uid="ops.requestid.forget")
