"""The read-only JSON API (docs/integrators/api.md): what each endpoint lists, its filters, its
pages and its ETags. The serializers (program/serializers.py) say how each object reads.

The API is the public view for everybody: it authenticates nobody, so drafts never appear, even
to logged-in staff (they preview drafts on the site). Each view's `get_queryset` composes the
models' `published()` rules and names every join, so a request runs a fixed number of queries
whatever the size of the program.
"""

import hashlib
import re
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from program.clients import client_address
from program.models import (
    Conference,
    ConferenceQuerySet,
    Day,
    EventRevision,
    Session,
    Talk,
    TalkQuerySet,
)
from program.serializers import (
    ConferenceSerializer,
    DaySerializer,
    OrganisationSerializer,
    SessionSerializer,
    SpeakerSerializer,
    TalkSerializer,
)
from speakers.models import Affiliation, Speaker


def api_etag(request, response):
    """The ETag of an API response: a hash of the JSON it sends. The one place that decides it,
    so that it can later be keyed on the program's version without touching the views."""
    return f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'


class ConditionalMixin:
    """ETag on every successful GET or HEAD, and 304 Not Modified when the client's
    If-None-Match says it has the same answer already (Django's own conditional-request rules,
    as in its `condition` decorator, applied once the body that the tag hashes exists)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        response["ETag"] = api_etag(request, response)
        return get_conditional_response(request, etag=response["ETag"], response=response)


def parameter_error(name, message):
    """The 400 answer for a bad query parameter: {"<name>": ["<what is wrong>"]}."""
    return ValidationError({name: [message]})


def parse_changed_since(value):
    """An ISO 8601 time, as an aware datetime in UTC ("2020-07-28T16:00:00Z"; a bare date means
    its midnight, a time without an offset is UTC). A "+" that was not URL-encoded arrives as a
    space ("…16:00:00 07:00"), and is read as the "+" it was. The offset is applied here, in
    Python, so the database only ever sees UTC (PostgreSQL refuses offsets of 16 hours or more).
    Raises ValidationError naming the parameter."""
    value = re.sub(r" (\d\d(:?\d\d)?)$", r"+\1", value.strip())
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = datetime.combine(day, time())
        if moment is not None:
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
            moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise parameter_error(
            "changed_since",
            f"“{value}” is not an ISO 8601 date and time; give e.g. "
            "2020-07-28T16:00:00Z (URL-encode a “+” in an offset as %2B).",
        )
    return moment


SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")


def parse_slug(name, value):
    """An id made of letters, digits, "-" and "_" (a slug), or ValidationError naming `name`."""
    if not SLUG_RE.fullmatch(value):
        raise parameter_error(name, "Give an id: letters, digits, “-” and “_”, at most 120.")
    return value


# The list endpoints' query parameters: how each is read (raising ValidationError naming it),
# and what each means, for the schema and the docs.
PARSERS = {
    "conference": lambda value: parse_slug("conference", value),
    "speaker": lambda value: parse_slug("speaker", value),
    "changed_since": parse_changed_since,
}
FILTER_PARAMETERS = {
    "conference": (
        {"type": "string", "pattern": SLUG_RE.pattern},
        "Only what belongs to this conference (its id, e.g. opml20). An empty or malformed "
        "value answers 400 naming the parameter.",
    ),
    "speaker": (
        {"type": "string", "pattern": SLUG_RE.pattern},
        "Only what this speaker presents (their id). An empty or malformed value answers 400 "
        "naming the parameter.",
    ),
    "changed_since": (
        {"type": "string", "format": "date-time", "minLength": 1},
        "Only objects whose updated_at is at or after this ISO 8601 time, e.g. "
        "2020-07-28T16:00:00Z. An empty or bad value answers 400 naming the parameter.",
    ),
}


class ProgramFilter(BaseFilterBackend):
    """Applies the query parameters a view lists in `filters`: each is checked here, before any
    query (PARSERS), then handed to the view's method `filter_<name>(queryset, value)`;
    `changed_since` is common to all and reads updated_at. A parameter given empty is an error,
    not "no filter"."""

    def filter_queryset(self, request, queryset, view):
        for name in view.filters:
            if name not in request.query_params:
                continue
            value = request.query_params[name].strip()
            if not value:
                raise parameter_error(name, "Give a value, or leave the parameter out.")
            queryset = getattr(view, f"filter_{name}")(queryset, PARSERS[name](value))
        return queryset

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": FILTER_PARAMETERS[name][1],
                "schema": FILTER_PARAMETERS[name][0],
            }
            for name in view.filters
        ]


class ProgramPagination(PageNumberPagination):
    """Numbered pages of 100 (`?page=2`; `?page_size=` up to 500), with `count`, `next` and
    `previous`. A curated program changes rarely and is small, so a count and random access are
    worth more to consumers than the cursor's stability under constant inserts. A page_size that
    is not a whole number from 1 answers 400; a page that does not exist, 404."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        if self.page_size_query_param not in request.query_params:
            return self.page_size
        value = request.query_params[self.page_size_query_param].strip()
        if not re.fullmatch(r"\d{1,9}", value) or int(value) < 1:
            raise parameter_error(
                self.page_size_query_param,
                f"Give a whole number from 1 (more than {self.max_page_size} gives "
                f"{self.max_page_size}), or leave it out.",
            )
        return min(int(value), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = "A page number, from 1; past the last page, 404."
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = "Results per page (default 100; at most 500 are given)."
        return parameters


class ParameterErrorSerializer(serializers.Serializer):
    """A 400 answer: the parameter that is wrong, with what is wrong with it."""

    changed_since = serializers.ListField(child=serializers.CharField(), required=False)
    conference = serializers.ListField(child=serializers.CharField(), required=False)
    speaker = serializers.ListField(child=serializers.CharField(), required=False)
    page_size = serializers.ListField(child=serializers.CharField(), required=False)


class ErrorDetailSerializer(serializers.Serializer):
    """An error told in a sentence: no such object or page (404), not JSON (406), too many
    requests (429)."""

    detail = serializers.CharField()


# What every operation may answer besides its 200, for the schema.
COMMON_RESPONSES = {
    304: OpenApiResponse(description="Not modified: the If-None-Match ETag is current."),
    404: OpenApiResponse(ErrorDetailSerializer, description="No such object or page."),
    406: OpenApiResponse(ErrorDetailSerializer, description="Only application/json is served."),
    429: OpenApiResponse(ErrorDetailSerializer, description="Too many requests: see Retry-After."),
}


class ClientRateThrottle(SimpleRateThrottle):
    """At most API_REQUESTS_PER_MINUTE requests a minute from one client (`client_address`,
    which knows the trusted proxies), counted in the cache. Past it, 429 with Retry-After."""

    scope = "api"

    def get_rate(self):
        return f"{settings.API_REQUESTS_PER_MINUTE}/min"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class ProgramViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """What every endpoint shares: public data only, filters, pages, ETags, a rate per client."""

    throttle_classes = [ClientRateThrottle]
    filter_backends = [ProgramFilter]
    pagination_class = ProgramPagination
    filters = ["changed_since"]
    # Any id reaches the view, which answers an unknown one with the API's JSON 404 (DRF's
    # default, `[^/.]+`, left ids with a dot to Django's HTML 404).
    lookup_value_regex = r"[^/]+"

    @cached_property
    def public_talks(self):
        return Talk.objects.published()

    def filter_changed_since(self, queryset, moment):
        return queryset.filter(updated_at__gte=moment)


def documented(name, serializer, lookup_description, lookup_type=OpenApiTypes.STR):
    """Schema notes for an endpoint's list and detail operations."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {name}",
            responses={
                200: serializer(many=True),
                400: OpenApiResponse(ParameterErrorSerializer, description="A bad parameter."),
                **COMMON_RESPONSES,
            },
        ),
        retrieve=extend_schema(
            summary=f"One of the {name}",
            parameters=[
                OpenApiParameter(
                    "id", lookup_type, OpenApiParameter.PATH, description=lookup_description
                )
            ],
            responses={200: serializer, **COMMON_RESPONSES},
        ),
    )


def url_or_empty_as_any_of(result, generator, request, public):
    """drf-spectacular writes a URL field that may be blank as `oneOf: [uri, maxLength 0]`; "" is
    valid under both, so strict clients reject every such object. `anyOf` says what is meant."""

    def visit(node):
        if isinstance(node, dict):
            branches = node.get("oneOf")
            if branches and any(branch.get("maxLength") == 0 for branch in branches):
                node["anyOf"] = node.pop("oneOf")
            for child in node.values():
                visit(child)
        elif isinstance(node, list):
            for child in node:
                visit(child)

    visit(result)
    return result


@documented("conferences", ConferenceSerializer, "The conference's slug, e.g. opml20.")
class ConferenceViewSet(ProgramViewSet):
    """Published conferences, by name."""

    serializer_class = ConferenceSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return Conference.objects.published().prefetch_related("days")


@documented("days", DaySerializer, "“<conference>-<date>”, e.g. opml20-2020-07-28.")
class DayViewSet(ProgramViewSet):
    """The days of published conferences, in date order, with their published sessions."""

    serializer_class = DaySerializer
    lookup_url_kwarg = "id"
    filters = ["conference"]

    def get_queryset(self):
        return (
            Day.objects.published()
            .select_related("conference")
            .prefetch_related(Prefetch("sessions", queryset=Session.objects.published()))
        )

    def filter_conference(self, queryset, value):
        return queryset.filter(conference__slug=value)

    def get_object(self):
        """Find the day by the two halves of its id: its conference's slug and its date."""
        conference, date = self.kwargs["id"][:-11], self.kwargs["id"][-10:]
        try:
            date = parse_date(date)
        except ValueError:  # looks like a date but is none, e.g. 2020-02-30
            raise Http404 from None
        if date is None or not SLUG_RE.fullmatch(conference):
            raise Http404
        day = get_object_or_404(self.get_queryset(), conference__slug=conference, date=date)
        self.check_object_permissions(self.request, day)
        return day


@documented("sessions", SessionSerializer, "The session's calendar UID.", OpenApiTypes.UUID)
class SessionViewSet(ProgramViewSet):
    """Published sessions in program order, with their published talks. Times are UTC; the
    conference gives its zone."""

    serializer_class = SessionSerializer
    lookup_field = "uid"
    lookup_url_kwarg = "id"
    filters = ["conference", "speaker", "changed_since"]

    def get_queryset(self):
        return (
            Session.objects.published()
            .select_related("conference", "day__conference")
            .prefetch_related(Prefetch("talks", queryset=self.public_talks))
        )

    def filter_conference(self, queryset, value):
        return queryset.filter(conference__slug=value)

    def filter_speaker(self, queryset, value):
        talks = self.public_talks.filter(authorships__speaker__slug=value)
        return queryset.filter(pk__in=talks.values("session"))


@documented("talks", TalkSerializer, "The talk's calendar UID.", OpenApiTypes.UUID)
class TalkViewSet(ProgramViewSet):
    """Published talks in program order, with their byline as printed and their authors."""

    serializer_class = TalkSerializer
    lookup_field = "uid"
    lookup_url_kwarg = "id"
    filters = ["conference", "speaker", "changed_since"]

    def get_queryset(self):
        """Published talks, and those withdrawn less than CALENDAR_WITHDRAWN_GRACE_DAYS ago
        (from a published conference), which say so in `status`."""
        cutoff = timezone.now() - timedelta(days=settings.CALENDAR_WITHDRAWN_GRACE_DAYS)
        withdrawn = EventRevision.objects.withdrawn_since(cutoff).values("uid")
        listed = TalkQuerySet.published_q() | (
            Q(uid__in=withdrawn) & ConferenceQuerySet.published_q("session__conference__")
        )
        return (
            Talk.objects.filter(listed)
            .annotate(is_public=ExpressionWrapper(TalkQuerySet.published_q(), BooleanField()))
            .with_speakers()
        )

    def filter_conference(self, queryset, value):
        return queryset.filter(session__conference__slug=value)

    def filter_speaker(self, queryset, value):
        return queryset.filter(authorships__speaker__slug=value)


@documented("speakers", SpeakerSerializer, "The speaker's slug.")
class SpeakerViewSet(ProgramViewSet):
    """People who present at least one published talk, by name, with those talks."""

    serializer_class = SpeakerSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "id"
    filters = ["conference", "changed_since"]

    def get_queryset(self):
        return Speaker.objects.presenting(self.public_talks).with_talks(self.public_talks)

    def filter_conference(self, queryset, value):
        talks = self.public_talks.filter(session__conference__slug=value)
        return queryset.filter(pk__in=Speaker.objects.presenting(talks).values("pk"))


@documented("organisations", OrganisationSerializer, "The organisation's slug.")
class OrganisationViewSet(ProgramViewSet):
    """Organisations printed on a published talk or held by one of its speakers, by name."""

    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "id"
    filters = ["conference", "changed_since"]

    def get_queryset(self):
        return Affiliation.objects.public(self.public_talks)

    def filter_conference(self, queryset, value):
        talks = self.public_talks.filter(session__conference__slug=value)
        return queryset.filter(pk__in=Affiliation.objects.public(talks).values("pk"))


class SchemaView(ConditionalMixin, SpectacularAPIView):
    """The OpenAPI 3 schema: YAML, or JSON with `?format=json` or `Accept: application/json`.

    The API has one version, so the schema reads no query parameter but `format` (drf-spectacular
    would put `?version=` into the file name and `?lang=` into the language); its file name is
    fixed, and the header is built by Django's helper all the same."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        generator = self.generator_class(urlconf=self.urlconf, patterns=self.patterns)
        filename = f"{spectacular_settings.TITLE}.{request.accepted_renderer.format}"
        return Response(
            data=generator.get_schema(request=request, public=self.serve_public),
            headers={"Content-Disposition": content_disposition_header(False, filename)},
        )
