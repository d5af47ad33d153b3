"""The shared cache, degrading instead of failing: when Redis is unreachable the site carries on.

Every use of the cache here is an optimisation or a soft limit: the public response cache
(program/caching.py), the picks' read marks and creation counts (program/picks.py), the API's
per-client rate (program/api.py). So this backend, Django's RedisCache with one difference,
answers a failed read as a miss and drops a failed write: pages are then rendered from the
database, uncached, and nobody sees a 5xx. Only counters (`incr`) raise `CacheUnavailable`, since
no answer would be right for them: their callers fall back on the database.

After a failure the cache is left alone for `RETRY_AFTER` seconds (an OPTIONS entry, 5 by
default), so that a Redis that hangs rather than refuses costs one timeout, not one per request;
then the next request tries again, and the cache is used again as soon as Redis answers, without
a restart. A warning is logged when the cache becomes unreachable and at most once a minute
while it stays so; an info line when it is back.

Settings: opml/settings.py (CACHES, with short socket timeouts); operators' notes in
docs/operators/limits.md.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

WARNING_INTERVAL = 60  # seconds between two warnings while the cache stays unreachable
FAILURES = (RedisError, OSError)
clock = time.monotonic  # seconds, for outage bookkeeping (tests turn it by hand)


class CacheUnavailable(Exception):
    """The cache could not be reached; raised only where a default answer would be wrong."""


class Outage:
    """Whether a cache is known to be down, shared by every thread of the process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0
        self.warned_at = None

    def skip(self):
        """True while a recent failure says not to try yet."""
        return self.down and clock() < self.retry_at

    def failed(self, location, retry_after, error):
        now = clock()
        with self.lock:
            self.down = True
            self.retry_at = now + retry_after
            if self.warned_at is None or now - self.warned_at >= WARNING_INTERVAL:
                self.warned_at = now
                logger.warning(
                    "Cache at %s unreachable (%s): serving uncached from the database.",
                    location,
                    error,
                )

    def succeeded(self, location):
        if not self.down:
            return
        with self.lock:
            if self.down:
                self.down = False
                self.warned_at = None
                logger.info("Cache at %s reachable again.", location)


# One outage record per server address, so that every thread's backend instance agrees.
OUTAGES = {}
OUTAGES_LOCK = threading.Lock()


class DegradingRedisCache(RedisCache):
    """Django's RedisCache, but a failure is a miss (reads) or a no-op (writes); see above."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        # One quick retry for a connection Redis closed (a restart), then give up: redis-py's
        # default backs off for seconds, which a request cannot wait.
        options.setdefault("retry", Retry(NoBackoff(), 1))
        super().__init__(server, {**params, "OPTIONS": options})
        self.location = server if isinstance(server, str) else ",".join(server)
        with OUTAGES_LOCK:
            self.outage = OUTAGES.setdefault(self.location, Outage())

    def attempt(self, call, *args, fallback=None, strict=False):
        """Run a cache call; on failure note the outage and answer `fallback` (or raise
        CacheUnavailable if `strict`)."""
        if self.outage.skip():
            if strict:
                raise CacheUnavailable(self.location)
            return fallback
        try:
            result = call(*args)
        except FAILURES as error:
            self.outage.failed(self.location, self.retry_after, error)
            if strict:
                raise CacheUnavailable(self.location) from error
            return fallback
        self.outage.succeeded(self.location)
        return result

    def reachable(self):
        """Whether the cache answers now (for jobs that must not mistake an outage for a miss)."""
        return bool(self.attempt(lambda: self._cache.get_client().ping(), fallback=False))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt(super().add, key, value, timeout, version, fallback=False)

    def get(self, key, default=None, version=None):
        return self.attempt(super().get, key, default, version, fallback=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.attempt(super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt(super().touch, key, timeout, version, fallback=False)

    def delete(self, key, version=None):
        return self.attempt(super().delete, key, version, fallback=False)

    def get_many(self, keys, version=None):
        return self.attempt(super().get_many, keys, version, fallback={})

    def has_key(self, key, version=None):
        return self.attempt(super().has_key, key, version, fallback=False)

    def incr(self, key, delta=1, version=None):
        return self.attempt(super().incr, key, delta, version, strict=True)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt(super().set_many, data, timeout, version, fallback=list(data))

    def delete_many(self, keys, version=None):
        self.attempt(super().delete_many, keys, version)

    def clear(self):
        return self.attempt(super().clear, fallback=False)
