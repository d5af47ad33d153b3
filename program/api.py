"""The read-only JSON API (README, "JSON API"): what each endpoint lists, its filters, its pages
and its ETags. The serializers (program/serializers.py) say how each object reads.

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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import PageNumberPagination

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


def parse_changed_since(value):
    """An ISO 8601 time, as an aware datetime ("2020-07-28T16:00:00Z"; a bare date means its
    midnight, a time without an offset is UTC). A "+" that was not URL-encoded arrives as a
    space ("…16:00:00 07:00"), and is read as the "+" it was. Raises ValidationError naming the
    parameter."""
    value = re.sub(r" (\d\d(:?\d\d)?)$", r"+\1", value.strip())
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = datetime.combine(day, time())
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError(
            {
                "changed_since": [
                    f"“{value}” is not an ISO 8601 date and time; give e.g. "
                    "2020-07-28T16:00:00Z (URL-encode a “+” in an offset as %2B)."
                ]
            }
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# The list endpoints' query parameters: what each means, for the schema and the README.
FILTER_PARAMETERS = {
    "conference": ("string", None, "Only what belongs to this conference (its id, e.g. opml20)."),
    "speaker": ("string", None, "Only what this speaker presents (their id)."),
    "changed_since": (
        "string",
        "date-time",
        "Only objects whose updated_at is at or after this ISO 8601 time, e.g. "
        "2020-07-28T16:00:00Z. A bad value answers 400 naming the parameter.",
    ),
}


class ProgramFilter(BaseFilterBackend):
    """Applies the query parameters a view lists in `filters`: each is the view's method
    `filter_<name>(queryset, value)`; `changed_since` is common to all and reads updated_at."""

    def filter_queryset(self, request, queryset, view):
        for name in view.filters:
            value = request.query_params.get(name, "").strip()
            if value:
                queryset = getattr(view, f"filter_{name}")(queryset, value)
        return queryset

    def get_schema_operation_parameters(self, view):
        parameters = []
        for name in view.filters:
            kind, format_, description = FILTER_PARAMETERS[name]
            schema = {"type": kind, **({"format": format_} if format_ else {})}
            parameters.append(
                {
                    "name": name,
                    "required": False,
                    "in": "query",
                    "description": description,
                    "schema": schema,
                }
            )
        return parameters


class ProgramPagination(PageNumberPagination):
    """Numbered pages of 100 (`?page=2`; `?page_size=` up to 500), with `count`, `next` and
    `previous`. A curated program changes rarely and is small, so a count and random access are
    worth more to consumers than the cursor's stability under constant inserts."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class FilterErrorSerializer(serializers.Serializer):
    changed_since = serializers.ListField(child=serializers.CharField())


class ProgramViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """What every endpoint shares: public data only, filters, pages, ETags."""

    filter_backends = [ProgramFilter]
    pagination_class = ProgramPagination
    filters = ["changed_since"]

    @cached_property
    def public_talks(self):
        return Talk.objects.published()

    def filter_changed_since(self, queryset, value):
        return queryset.filter(updated_at__gte=parse_changed_since(value))


def documented(name, serializer, lookup_description, lookup_type=OpenApiTypes.STR):
    """Schema notes for an endpoint's list and detail operations."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {name}",
            responses={200: serializer(many=True), 400: FilterErrorSerializer},
        ),
        retrieve=extend_schema(
            summary=f"One of the {name}",
            parameters=[
                OpenApiParameter(
                    "id", lookup_type, OpenApiParameter.PATH, description=lookup_description
                )
            ],
        ),
    )


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
    lookup_value_regex = r"[-\w]+-\d{4}-\d{2}-\d{2}"
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
        except ValueError:  # matches the pattern but is no date, e.g. 2020-02-30
            raise Http404 from None
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
    """The OpenAPI 3 schema: YAML, or JSON with `?format=json` or `Accept: application/json`."""
