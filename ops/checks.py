"""System checks for a fleet: state that must be shared is not kept per process."""

from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Error, register
from django.utils.module_loading import import_string

# Backends whose entries live in one process (or one host's disk): rate limits counted there
# would be per server, and each server would fill its own copy of the public cache.
PER_PROCESS = (LocMemCache, FileBasedCache, DummyCache)


@register()
def shared_caches(app_configs, **kwargs):
    if not settings.REDIS_URL:
        return []
    return [
        Error(
            f"CACHES[{alias!r}] uses {config['BACKEND']}, kept per process, although REDIS_URL "
            "is set: every cache of a fleet must be shared.",
            id="ops.E001",
        )
        for alias, config in settings.CACHES.items()
        if issubclass(import_string(config["BACKEND"]), PER_PROCESS)
    ]
