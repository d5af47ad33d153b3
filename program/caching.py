"""The public response cache: every public page and feed, kept under the program's version.

A response is cached under its URL and the version it depends on (program/revisions.py gives a
conference and the site a new version on every visible change): the pages, feeds and change log
of a conference under that conference's version; people, organisations, search, the home page,
speaker and picks feeds and the sitemap under the site's. The version is read from the database
on each request (one small query), so every process, whatever its cache, sees a change as soon
as it is committed, and a hit touches none of the program's tables.

Each entry holds the body, gzipped once, a strong ETag per encoding and Last-Modified; a
conditional request is answered 304 from the entry's metadata alone, before anything is rendered
or even read from the cache. Entries whose content depends on the clock (Live now / Up next, a
cancelled event leaving the feeds after its grace period) carry the moment they stop being true.

Staff (who see drafts) neither read nor fill the cache; their responses are `private, no-store`.

Bounds: only the query parameters a page reads form its key (READ_PARAMETERS; the others are
dropped before the page is rendered), an entry lives at most ENTRY_TIMEOUT (a day) and is never
read again once the program's version moves on; the cache's total memory is the cache's own
bound (Redis `maxmemory` with an LRU eviction policy, or the local cache's MAX_ENTRIES), see
docs/operators/limits.md.
"""

import gzip
import hashlib
import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe, urlencode

from ops import metrics
from program import filters
from program.models import ProgramVersion, Session
from program.revisions import grace_expiry

# URL name → the keyword argument naming the conference whose version the response depends on.
CONFERENCE_PAGES = {
    "program:conference_detail": "slug",
    "program:session_detail": "conference_slug",
    "program:talk_detail": "conference_slug",
    "program:changes": "slug",
    "program:session_list": "slug",
    "program:speaker_list": "slug",
    "program:changes_feed": "slug",
    "feeds:conference": "slug",
    "feeds:session": "conference_slug",
    "feeds:talk": "conference_slug",
    "program:schedule_xml": "conference_slug",
    "program:schedule_json": "conference_slug",
}
SITE_PAGES = {
    "program:home",
    "program:search",
    "speakers:speaker_list",
    "speakers:speaker_detail",
    "speakers:affiliation_list",
    "speakers:affiliation_detail",
    "feeds:speaker",
    "sitemap",
}
# The JSON API (program/api.py) reads every published conference: all its URLs, under the site's
# version. A picks feed is not cached here: its list changes without a new program version.
SITE_NAMESPACES = ("api:",)
# Responses that list withdrawn events until their grace period ends: calendars, frab, the API.
WITHDRAWN_LISTED = ("feeds:", "api:talk-", "program:schedule_xml", "program:schedule_json")

# The query parameters each page reads: only these form its cache key, and the others are
# dropped from the request before it is rendered, so "?anything=<random>" cannot make a new
# entry (or a new render) for every value. A page not listed reads none.
READ_PARAMETERS = {
    "program:conference_detail": {"abstracts", *filters.PARAMETERS},
    "program:filtered_calendar": set(filters.PARAMETERS),
    "program:search": {"q"},
    "sitemap": {"p"},
    "api:schema": {"format"},
}
API_PARAMETERS = {"conference", "speaker", "changed_since", "page", "page_size", "format"}
# Pages that mark the session on now and the next one (program/clock.py).
CLOCKED = {"program:conference_detail", "program:session_detail"}
PAGE_CACHE_CONTROL = "public, max-age=0, must-revalidate"
FEED_CACHE_CONTROL = "public, max-age=300"
STAFF_CACHE_CONTROL = "private, no-store"
ENTRY_TIMEOUT = 60 * 60 * 24
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
# What a cached response keeps of the original's headers (ETag, Last-Modified, Cache-Control,
# Vary and the length are set again).
KEPT_HEADERS = {"content-type", "content-disposition", "content-language", "x-robots-tag"}


def is_staff(request):
    """Staff see drafts. Without a session cookie no one is logged in, and nothing is read."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return request.user.is_active and request.user.is_staff


def current_version(conference_slug):
    """(token, changed_at) of the conference's version, or of the site's; None if unknown."""
    if conference_slug is None:
        scope = Q(scope=ProgramVersion.SITE)
    else:
        scope = Q(conference__slug=conference_slug)
    return ProgramVersion.objects.filter(scope).values_list("token", "changed_at").first()


def next_clock_change(conference_slug, now):
    """When Live now / Up next / today next change on the conference's pages (None: never
    again): at a session's start or end, or at any midnight from the conference's first day
    to the end of its last."""
    rows = list(
        Session.objects.published()
        .filter(conference__slug=conference_slug)
        .values_list("start", "end", "conference__time_zone")
    )
    if not rows:
        return None
    tz = zoneinfo.ZoneInfo(rows[0][2])
    instants = [time for start, end, _ in rows for time in (start, end)]
    first = timezone.localtime(min(instants), tz).date()
    last = timezone.localtime(max(instants), tz).date()
    # Every midnight from the first day to the one after the last: the program page marks
    # today's day and dims past ones, which change at midnight, not only at a session's edge.
    instants += [
        datetime.combine(first + timedelta(days=offset), time.min, tzinfo=tz)
        for offset in range((last - first).days + 2)
    ]
    return min((instant for instant in instants if instant > now), default=None)


class PublicCacheMiddleware:
    """Serve public GET and HEAD requests from the cache; see the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        name, kwargs = match.view_name, match.kwargs
        # Metrics by view (django-prometheus) name the view of a hit too, which never runs.
        request.resolver_match = match
        site_page = name in SITE_PAGES or name.startswith(SITE_NAMESPACES)
        if name not in CONFERENCE_PAGES and not site_page:
            return self.get_response(request)
        if is_staff(request):
            response = self.get_response(request)
            response["Cache-Control"] = STAFF_CACHE_CONTROL
            return response
        keep_read_parameters(request, name)
        slug = kwargs.get(CONFERENCE_PAGES[name]) if name in CONFERENCE_PAGES else None
        version = current_version(slug) if name in CONFERENCE_PAGES else current_version(None)
        if version is None or not version[0]:
            return self.get_response(request)
        request.program_changed_at = version[1]  # the pages' Last-Modified; feeds date by it too
        encoding = "gzip" if accepts_gzip(request) else "identity"
        key = cache_key(request, version[0])
        now = timezone.now()
        conditional = any(header in request.META for header in CONDITIONAL_HEADERS)
        entry = cache.get(f"{key}:meta") if conditional else None
        if entry and fresh(entry, now):
            response = not_modified(request, entry, encoding)
            if response is not None:
                metrics.public_cache.labels(result="not_modified").inc()
                return response
        cached = cache.get_many([f"{key}:meta", f"{key}:{encoding}"])
        entry, body = cached.get(f"{key}:meta"), cached.get(f"{key}:{encoding}")
        if entry and body is not None and fresh(entry, now):
            metrics.public_cache.labels(result="hit").inc()
            return respond(entry, body, encoding)
        metrics.public_cache.labels(result="miss").inc()
        return self.fill(request, name, slug, key, version, encoding, now)

    def fill(self, request, name, slug, key, version, encoding, now):
        """Render the response without the client's conditions, keep it, then answer them."""
        saved = {
            header: request.META.pop(header)
            for header in CONDITIONAL_HEADERS
            if header in request.META
        }
        try:
            response = self.get_response(request)
        finally:
            request.META.update(saved)
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or "no-store" in response.get("Cache-Control", "")
        ):
            return response
        body = response.content
        is_feed = name.startswith("feeds:") or name == "program:changes_feed"
        last_modified = parse_http_date_safe(response.get("Last-Modified", "")) or int(
            version[1].timestamp()
        )
        valid_until = None
        if name in CLOCKED:
            valid_until = next_clock_change(slug, now)
        elif name.startswith(WITHDRAWN_LISTED):
            valid_until = grace_expiry(now, settings.CALENDAR_WITHDRAWN_GRACE_DAYS)
        entry = dict(
            etag=hashlib.sha256(body).hexdigest()[:32],
            last_modified=last_modified,
            valid_until=valid_until and valid_until.timestamp(),
            cache_control=FEED_CACHE_CONTROL if is_feed else PAGE_CACHE_CONTROL,
            headers=[(k, v) for k, v in response.items() if k.lower() in KEPT_HEADERS],
        )
        compressed = gzip.compress(body, compresslevel=6, mtime=0)
        cache.set_many(
            {
                f"{key}:meta": entry,
                f"{key}:identity": body,
                f"{key}:gzip": compressed,
                latest_key(request): key,
            },
            ENTRY_TIMEOUT,
        )
        response = not_modified(request, entry, encoding)
        if response is not None:
            return response
        return respond(entry, compressed if encoding == "gzip" else body, encoding)


def respond(entry, body, encoding):
    response = HttpResponse(body)
    for header, value in entry["headers"]:
        response[header] = value
    if encoding == "gzip":
        response["Content-Encoding"] = "gzip"
    return with_validators(response, entry, encoding)


def stale_response(request):
    """The copy of this URL that the public cache last kept, marked stale, for when the database
    cannot tell which version is current (ops/views.py: server_error); None if there is none or
    the cache cannot be read either. Only public copies are kept, so this is never a draft."""
    encoding = "gzip" if accepts_gzip(request) else "identity"
    try:
        key = cache.get(latest_key(request))
        if key is None:
            return None
        cached = cache.get_many([f"{key}:meta", f"{key}:{encoding}"])
    except Exception:  # the cache's own failure (e.g. Redis down too): no copy, the 503 page
        return None
    entry, body = cached.get(f"{key}:meta"), cached.get(f"{key}:{encoding}")
    if entry is None or body is None:
        return None
    response = respond(entry, body, encoding)
    response["Cache-Control"] = "no-cache"
    response["X-Cache"] = "stale"
    response["Warning"] = '110 - "Response is Stale"'
    return response


def with_validators(response, entry, encoding):
    response["ETag"] = etag_for(entry, encoding)
    response["Last-Modified"] = http_date(entry["last_modified"])
    response["Cache-Control"] = entry["cache_control"]
    patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
    return response


def etag_for(entry, encoding):
    """A strong ETag per representation: the gzipped bytes are not the plain ones."""
    return f'"{entry["etag"]}-gz"' if encoding == "gzip" else f'"{entry["etag"]}"'


def not_modified(request, entry, encoding):
    response = get_conditional_response(
        request, etag=etag_for(entry, encoding), last_modified=entry["last_modified"]
    )
    if response is None:
        return None
    return with_validators(response, entry, encoding)


def fresh(entry, now):
    return entry["valid_until"] is None or now.timestamp() < entry["valid_until"]


def accepts_gzip(request):
    """Whether Accept-Encoding allows gzip: named with a q-value above 0, or through "*" when
    not named (RFC 9110, 12.5.3); "gzip;q=0" refuses it."""
    weights = {}
    for part in request.META.get("HTTP_ACCEPT_ENCODING", "").lower().split(","):
        coding, _, parameters = part.partition(";")
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        weights.setdefault(coding.strip(), weight)
    weight = weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0)))
    return weight > 0


def keep_read_parameters(request, name):
    """Drop from the request the query parameters the page does not read (READ_PARAMETERS), in
    a stable order, so that equal pages share one cache entry."""
    if not request.META.get("QUERY_STRING"):
        return
    read = API_PARAMETERS if name.startswith("api:") and name != "api:schema" else set()
    read = READ_PARAMETERS.get(name, read)
    pairs = sorted(
        (key, value) for key, values in request.GET.lists() if key in read for value in values
    )
    query = urlencode(pairs)
    if query != request.META["QUERY_STRING"]:
        request.META["QUERY_STRING"] = query
        request.__dict__.pop("GET", None)  # read again from the new query string


def cache_key(request, token):
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    extra = f"{token}|{settings.CALENDAR_WITHDRAWN_GRACE_DAYS}"
    return "page:" + hashlib.sha256(f"{url}|{extra}".encode()).hexdigest()


def latest_key(request):
    """Where the key of the URL's last kept copy is noted, whatever its version."""
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return (
        "latest:"
        + hashlib.sha256(f"{url}|{settings.CALENDAR_WITHDRAWN_GRACE_DAYS}".encode()).hexdigest()
    )


class GZipPublicMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for everything but the admin (its pages carry CSRF tokens, which
    compression would expose to BREACH-style guessing), and only where Accept-Encoding's
    q-values allow gzip (`accepts_gzip`)."""

    def process_response(self, request, response):
        if request.path_info.startswith("/admin/"):
            return response
        if not accepts_gzip(request):  # Django's own test ignores q-values ("gzip;q=0")
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        return super().process_response(request, response)
