"""What the JSON API says about each public object (docs/integrators/api.md).

Ids are stable: sessions and talks are known by their calendar UID, conferences, speakers and
organisations by their slug, days by "<conference>-<date>". Every object links to its public page
with an absolute URL. Text is given exactly as the program prints it (bylines by
`format_author_line`, through `Talk.author_line`). The serializers only read what the views
fetched: which rows are public, and the joins, are the views' querysets' business.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from program.events import place_of, talk_times
from program.models import Conference, Day, Session, Talk
from speakers.models import Affiliation, Authorship, Speaker


def day_id(day):
    """A day's id in the API: its conference's slug and its date, "opml20-2020-07-28"."""
    return f"{day.conference.slug}-{day.date.isoformat()}"


@extend_schema_field(OpenApiTypes.URI)
class PageURLField(serializers.Field):
    """The absolute URL of the object's public page."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(value.get_absolute_url())


@extend_schema_field(OpenApiTypes.URI)
class CalendarURLField(PageURLField):
    """The absolute URL of the object's iCalendar feed."""

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(value.get_calendar_url())


@extend_schema_field(OpenApiTypes.STR)
class DayIdField(serializers.RelatedField):
    """A day named by its id (a related field, so that a list of days can use many=True)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return day_id(value)


class EffectiveTimeField(serializers.DateTimeField):
    """A talk's effective start (`end=False`) or end: its own when the committee set one, else
    its session's (`program.events.talk_times`, the rule every channel shares)."""

    def __init__(self, *, end=False, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)
        self.index = 1 if end else 0

    def to_representation(self, value):
        return super().to_representation(talk_times(value, value.session)[self.index])


class PlaceSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="“Room A”, or “Session 1 Slack channel”.")
    url = serializers.CharField(help_text="Its address, or empty.")
    online = serializers.BooleanField(help_text="True for the session's own Slack channel.")


@extend_schema_field(PlaceSerializer)
class PlaceField(serializers.Field):
    """Where it happens, by the one place rule (`program.events.place_of`): the session's
    location, else the conference's default, else the session's Slack channel."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        place = place_of(getattr(value, "session", value))
        return {"name": place.name, "url": place.url, "online": place.online}


class OrganisationRefSerializer(serializers.ModelSerializer):
    """An organisation where another object names it: enough to print it and follow it."""

    id = serializers.CharField(source="slug", help_text="The organisation's slug.")
    url = PageURLField(help_text="Its public page.")

    class Meta:
        model = Affiliation
        fields = ["id", "name", "url"]


class OrganisationSerializer(OrganisationRefSerializer):
    """An organisation: its name as the program prints it, and its page."""

    class Meta:
        model = Affiliation
        fields = ["id", "name", "url", "updated_at"]


class ConferenceSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="slug", help_text="The conference's slug, e.g. “opml20”.")
    program_title = serializers.CharField(help_text="“OpML '20 Conference Program”.")
    days = DayIdField(many=True, help_text="Ids of its days, in date order.")
    url = PageURLField(help_text="The program page.")
    calendar_url = CalendarURLField(help_text="The whole conference's iCalendar feed.")

    class Meta:
        model = Conference
        fields = [
            "id",
            "name",
            "program_title",
            "time_zone",
            "intro",
            "time_zone_note",
            "default_location_name",
            "default_location_url",
            "days",
            "url",
            "calendar_url",
            "updated_at",
        ]


class DaySerializer(serializers.ModelSerializer):
    id = DayIdField(source="*", help_text="“<conference>-<date>”, e.g. “opml20-2020-07-28”.")
    conference = serializers.CharField(source="conference.slug", help_text="Conference id.")
    sessions = serializers.SlugRelatedField(
        slug_field="uid", many=True, read_only=True, help_text="Ids of its sessions, in order."
    )
    url = PageURLField(help_text="The day on the program page.")

    class Meta:
        model = Day
        fields = ["id", "conference", "date", "sessions", "url"]


class SessionSerializer(serializers.ModelSerializer):
    """A session. An empty location means its conference's default location."""

    id = serializers.UUIDField(source="uid", help_text="The session's calendar UID.")
    conference = serializers.CharField(source="conference.slug", help_text="Conference id.")
    day = DayIdField(help_text="Day id.")
    slack_invitation = serializers.CharField(
        help_text="The Slack sentence as printed, e.g. “Join the discussion on the Session 1 "
        "Slack channel.”"
    )
    talks = serializers.SlugRelatedField(
        slug_field="uid", many=True, read_only=True, help_text="Ids of its talks, in order."
    )
    place = PlaceField(help_text="Where it happens, as every channel says it.")
    url = PageURLField(help_text="The session's page.")
    calendar_url = CalendarURLField(help_text="The session's iCalendar feed.")

    class Meta:
        model = Session
        fields = [
            "id",
            "conference",
            "day",
            "number",
            "title",
            "description",
            "start",
            "end",
            "slack_url",
            "slack_invitation",
            "location_name",
            "location_url",
            "place",
            "talks",
            "url",
            "calendar_url",
            "updated_at",
        ]


class AuthorSerializer(serializers.ModelSerializer):
    """One place in a talk's byline."""

    speaker = serializers.CharField(source="speaker.slug", help_text="Speaker id.")
    name = serializers.CharField(
        source="printed_name", help_text="The name as this byline prints it."
    )
    organisation = OrganisationRefSerializer(
        source="affiliation", allow_null=True, help_text="As printed for this talk."
    )

    class Meta:
        model = Authorship
        fields = ["speaker", "name", "organisation"]


class TalkSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uid", help_text="The talk's calendar UID.")
    conference = serializers.CharField(source="session.conference.slug", help_text="Conference id.")
    session = serializers.UUIDField(source="session.uid", help_text="Session id.")
    byline = serializers.CharField(
        source="author_line",
        help_text="The authors as the program prints them: “A and B, Org; C, Other Org”.",
    )
    authors = AuthorSerializer(source="authorships", many=True, help_text="In byline order.")
    start = EffectiveTimeField(help_text="Its own start when it has one, else its session's.")
    end = EffectiveTimeField(end=True, help_text="Its own end when it has one, else its session's.")
    own_times = serializers.SerializerMethodField(
        help_text="Whether the committee set the talk's own times (else its session's slot)."
    )
    place = PlaceField(help_text="Where it happens: its session's place.")
    status = serializers.SerializerMethodField(
        help_text="“confirmed”, or “withdrawn” during the days a withdrawn talk is still listed "
        "(CALENDAR_WITHDRAWN_GRACE_DAYS), so apps can update their copy; then it leaves."
    )
    url = PageURLField(help_text="The talk's page.")
    calendar_url = CalendarURLField(help_text="The talk's iCalendar feed.")

    class Meta:
        model = Talk
        fields = [
            "id",
            "conference",
            "session",
            "title",
            "slug",
            "byline",
            "authors",
            "abstract",
            "start",
            "end",
            "own_times",
            "place",
            "status",
            "has_media",
            "media_url",
            "url",
            "calendar_url",
            "updated_at",
        ]
        extra_kwargs = {"has_media": {"help_text": "The program lists “Available Media”."}}

    def get_own_times(self, talk) -> bool:
        return talk.start is not None

    def get_status(self, talk) -> str:
        return "confirmed" if getattr(talk, "is_public", True) else "withdrawn"


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "uuid"}})
class SpeakerTalksField(serializers.Field):
    """The ids of the speaker's talks (the view prefetches only published ones)."""

    def __init__(self, **kwargs):
        super().__init__(source="authorships", read_only=True, **kwargs)

    def to_representation(self, value):
        return [str(authorship.talk.uid) for authorship in value.all()]


class SpeakerSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="slug", help_text="The speaker's slug.")
    organisation = OrganisationRefSerializer(
        source="affiliation", allow_null=True, help_text="Current organisation."
    )
    talks = SpeakerTalksField(help_text="Ids of their talks, across conferences.")
    url = PageURLField(help_text="The speaker's page.")
    calendar_url = CalendarURLField(help_text="Their talks as an iCalendar feed.")

    class Meta:
        model = Speaker
        fields = [
            "id",
            "name",
            "bio",
            "organisation",
            "talks",
            "url",
            "calendar_url",
            "updated_at",
        ]
