""" "My picks": the sessions and talks an attendee starred, as a calendar that stays subscribed.

A `PickList` is a server-side list without an account. Its creator's browser holds two secrets
(static/js/picks.js keeps them in localStorage):

* the *feed* secret, in the read-only address `/picks/<feed>.ics` (and the page `/picks/<feed>/`):
  it never changes, so a calendar subscribed once follows every later star;
* the *edit* secret, sent only in the `X-Picks-Edit` header of the JSON requests that change or
  delete the list.

Both are 192-bit random strings (`secrets.token_urlsafe(24)`), and the database keeps only their
SHA-256: a copy of the database lets nobody read or edit anyone's picks, and since the secrets
are random a fast unsalted hash is enough to look them up. The list holds calendar UIDs only
(at most `MAX_PICKS`): no name, no address, no IP.

Abuse limits: creation is rate-limited per client IP through the cache (in the database while the
cache is unreachable: `CreationCount`, which keeps a keyed hash of the address, never the
address, and only for the current hour), and lists nobody has
edited or read for `PICKS_EXPIRE_DAYS` are deleted by `manage.py expire_picks`. Reads never
write to the database: a feed read only leaves a mark in the cache (`note_read`), which
`expire_picks` (not a request) turns into `last_read_at`.

The links of the first version, `/picks/<token>.ics` where the token lists the UIDs themselves
(`decode_picks`), keep working read-only, so calendars subscribed to them do not go blank.
"""

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import F
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from program.clients import client_address
from program.degrading_cache import CacheUnavailable

MAX_PICKS = 100
# A request body is checked against these before it is parsed (`read_items`): 100 UIDs in JSON
# take about 4 kB; {"items": [...]} is two levels deep.
MAX_BODY_BYTES = 16 * 1024
MAX_BODY_DEPTH = 2
MAX_TOKEN_LENGTH = -(-16 * MAX_PICKS * 4 // 3)  # unpadded base64 of 100 UIDs
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]+$")
# token_urlsafe(24) is 32 characters; a legacy token is a multiple of 22 (16 bytes per UID), so
# the two kinds of /picks/<…>.ics address can never be mistaken for each other.
SECRET_LENGTH = 32
READ_MARK_PREFIX = "picks-read:"
CREATE_COUNT_PREFIX = "picks-create:"


def digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret():
    return secrets.token_urlsafe(24)


class PickListQuerySet(models.QuerySet):
    def by_feed(self, secret):
        """The list whose read-only feed secret this is (or none)."""
        if len(secret) != SECRET_LENGTH or not TOKEN_RE.match(secret):
            return self.none()
        return self.filter(feed_digest=digest(secret))

    def unused_since(self, cutoff):
        """Lists neither edited nor read (as far as `last_read_at` knows) since `cutoff`."""
        return self.filter(updated_at__lt=cutoff).exclude(last_read_at__gte=cutoff)


class PickList(models.Model):
    """An attendee's starred sessions and talks (calendar UIDs, in the order they were picked)."""

    feed_digest = models.CharField(max_length=64, unique=True, editable=False)
    edit_digest = models.CharField(max_length=64, editable=False)
    items = models.JSONField(default=list, help_text="Calendar UIDs of sessions and talks.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_read_at = models.DateTimeField(
        null=True, blank=True, help_text="Last feed read known to `expire_picks`."
    )

    objects = PickListQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = "pick list"

    def __str__(self):
        return f"Pick list of {len(self.items)} ({self.feed_digest[:8]}…)"

    @classmethod
    def create(cls, items):
        """A new list and its two secrets, which are shown this once and never stored."""
        feed, edit = new_secret(), new_secret()
        pick_list = cls.objects.create(
            feed_digest=digest(feed), edit_digest=digest(edit), items=items
        )
        return pick_list, feed, edit

    def may_edit(self, secret):
        return bool(secret) and secrets.compare_digest(digest(secret), self.edit_digest)

    @property
    def uids(self):
        return [uuid.UUID(uid) for uid in self.items]


class CreationCount(models.Model):
    """New lists per client and hour, counted here only while the cache cannot count them."""

    client = models.CharField(max_length=64, help_text="Keyed hash of the client's address.")
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(fields=["client", "hour"], name="picks_creation_count_once")
        ]

    def __str__(self):
        return f"{self.count} new lists in the hour from {self.hour:%Y-%m-%d %H:00}"


class PicksInputError(ValueError):
    """Bad input from the browser; `field` names what is wrong, for the 400 answer."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def clean_items(data):
    """The UIDs of a request body {"items": [uid, …]}, deduplicated in order, as strings. The
    count is checked before anything else is done with the items."""
    if not isinstance(data, dict) or "items" not in data:
        raise PicksInputError("items", "Send a JSON object with “items”: a list of UIDs.")
    items = data["items"]
    if not isinstance(items, list):
        raise PicksInputError("items", "“items” must be a list of session and talk UIDs.")
    if len(items) > MAX_PICKS:
        raise PicksInputError("items", f"“items” may hold at most {MAX_PICKS} sessions and talks.")
    cleaned = {}  # a dict keeps the first occurrence's order and finds a repeat at once
    for item in items:
        try:
            uid = str(uuid.UUID(item)) if isinstance(item, str) else None
        except ValueError:
            uid = None
        if uid is None:
            raise PicksInputError("items", f"“items” holds {item!r:.60}, which is not a UID.")
        cleaned.setdefault(uid, None)
    return list(cleaned)


def json_depth(text):
    """How deeply the JSON text nests arrays and objects, found in one pass without parsing it
    (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def allow_creation(request):
    """Count a list creation against the client's hourly allowance; False once it is spent."""
    client = client_address(request)
    try:
        count = count_in_cache(client)
    except CacheUnavailable:
        count = count_in_database(client)
    return count <= settings.PICKS_CREATE_PER_HOUR


def count_in_cache(client):
    key = f"{CREATE_COUNT_PREFIX}{client}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=3600)
        return 1


def count_in_database(client):
    """The cache's count, kept in the database: one row per client and hour, older hours
    deleted as they pass."""
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    keyed = hmac.new(settings.SECRET_KEY.encode(), client.encode(), hashlib.sha256).hexdigest()
    CreationCount.objects.filter(hour__lt=hour).delete()
    row, _ = CreationCount.objects.get_or_create(client=keyed, hour=hour)
    CreationCount.objects.filter(pk=row.pk).update(count=F("count") + 1)
    return CreationCount.objects.values_list("count", flat=True).get(pk=row.pk)


def note_read(pick_list):
    """Remember in the cache (never the database) that the list's feed was read today."""
    cache.set(
        f"{READ_MARK_PREFIX}{pick_list.pk}",
        timezone.now().isoformat(),
        timeout=settings.PICKS_EXPIRE_DAYS * 86400,
    )


def expire_unused(now=None):
    """Record the reads the cache remembers, then delete lists unused for PICKS_EXPIRE_DAYS.
    Returns the number of lists deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PICKS_EXPIRE_DAYS)
    candidates = list(PickList.objects.unused_since(cutoff).values_list("pk", flat=True))
    # Read marks live only in the cache: while it is unreachable, a list read every day would
    # look unused. Shared Redis backends say whether they answer (program/degrading_cache.py).
    if not getattr(cache, "reachable", lambda: True)():
        raise CacheUnavailable("the cache holding the picks' read marks is unreachable")
    marks = cache.get_many([f"{READ_MARK_PREFIX}{pk}" for pk in candidates])
    for key, value in marks.items():
        read_at = datetime.fromisoformat(value)
        PickList.objects.filter(pk=int(key.removeprefix(READ_MARK_PREFIX))).update(
            last_read_at=read_at
        )
    deleted, _ = PickList.objects.unused_since(cutoff).filter(pk__in=candidates).delete()
    return deleted


# --- JSON endpoints for static/js/picks.js ---------------------------------------------------
# Same-origin fetches from our pages: Django's CSRF protection applies as to any form. The
# browser reads the token from `GET /picks/lists/` (which also sets the CSRF cookie, so that
# cached public pages need not) and sends it in the X-CSRFToken header.

EDIT_HEADER = "X-Picks-Edit"


def error_response(field, message, status=400):
    return JsonResponse({"field": field, "error": message}, status=status)


def list_data(pick_list, feed):
    return {
        "feed": feed,
        "feed_url": reverse("feeds:picks", kwargs={"token": feed}),
        "page_url": reverse("program:picks_detail", kwargs={"feed": feed}),
        "items": pick_list.items,
    }


class PicksBodyTooLarge(PicksInputError):
    """A body over MAX_BODY_BYTES: answered 413 before it is read."""


def read_items(request):
    """The items of the request's JSON body. Its size (declared, then actual) and its depth are
    checked before it is parsed, its item count before the items are looked at: no body can make
    a request expensive, whatever the rate limit says."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        raise PicksBodyTooLarge("body", f"The request body may be at most {MAX_BODY_BYTES} bytes.")
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise PicksBodyTooLarge("body", f"The request body may be at most {MAX_BODY_BYTES} bytes.")
    try:
        text = body.decode() or "null"
    except UnicodeDecodeError:
        raise PicksInputError("body", "The request body is not JSON in UTF-8.") from None
    if json_depth(text) > MAX_BODY_DEPTH:
        raise PicksInputError("body", "Send a JSON object with “items”: a list of UIDs.")
    try:
        data = json.loads(text)
    except ValueError:
        raise PicksInputError("body", "The request body is not JSON.") from None
    return clean_items(data)


def input_error(error):
    return error_response(
        error.field, str(error), 413 if isinstance(error, PicksBodyTooLarge) else 400
    )


@never_cache  # answers carry secrets and the CSRF cookie: no cache may keep them
@require_http_methods(["GET", "POST"])
def lists_endpoint(request):
    """GET: the CSRF token for the other calls. POST {"items": [...]}: a new list; the answer
    carries its feed secret and, this once, its edit secret."""
    if request.method == "GET":
        return JsonResponse({"csrf_token": get_token(request), "max_items": MAX_PICKS})
    try:
        items = read_items(request)
    except PicksInputError as error:
        return input_error(error)
    if not allow_creation(request):
        return error_response(
            "items", "Too many new pick lists from this address: try again in an hour.", 429
        )
    pick_list, feed, edit = PickList.create(items)
    return JsonResponse(list_data(pick_list, feed) | {"edit": edit}, status=201)


@never_cache
@require_http_methods(["PUT", "POST", "DELETE"])
def list_endpoint(request, feed):
    """PUT (or POST) {"items": [...]}: replace the list's items; DELETE: revoke the list and its
    feed. Both need the edit secret in the X-Picks-Edit header."""
    pick_list = get_object_or_404(PickList.objects.by_feed(feed))
    if not pick_list.may_edit(request.headers.get(EDIT_HEADER, "")):
        return error_response(EDIT_HEADER, f"The {EDIT_HEADER} header is missing or wrong.", 403)
    if request.method == "DELETE":
        pick_list.delete()
        return JsonResponse({}, status=200)
    try:
        pick_list.items = read_items(request)
    except PicksInputError as error:
        return input_error(error)
    pick_list.save(update_fields=["items", "updated_at"])
    return JsonResponse(list_data(pick_list, feed))


# --- First-version links, read only -----------------------------------------------------------


class PicksTokenError(ValueError):
    """The token is not one this site made; the message says what is wrong, for the 400 page."""


def encode_picks(uids):
    """A legacy token (first version of picks): the sorted UIDs' bytes in unpadded base64url."""
    raw = b"".join(uid.bytes for uid in sorted(set(uids)))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_picks(token):
    """The UIDs a legacy token names, or PicksTokenError saying why it cannot be read."""
    if not TOKEN_RE.match(token):
        raise PicksTokenError("A picks link may only contain letters, digits, “-” and “_”.")
    if len(token) > MAX_TOKEN_LENGTH:
        raise PicksTokenError(f"A picks link holds at most {MAX_PICKS} sessions and talks.")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as error:
        raise PicksTokenError("This picks link is incomplete: copy it again.") from error
    if not raw or len(raw) % 16:
        raise PicksTokenError("This picks link is incomplete: copy it again.")
    return [uuid.UUID(bytes=raw[i : i + 16]) for i in range(0, len(raw), 16)]
