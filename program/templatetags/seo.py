"""What search engines and link previews read: canonical URLs, schema.org Event data
(JSON-LD) shaped for Google's event rich results, and Open Graph / Twitter card tags.

Google's Event documentation: required `name`, `startDate` and `location` (a `Place` with an
`address`, or a `VirtualLocation` with a `url`); recommended `description`, `endDate`,
`eventAttendanceMode`, `eventStatus`, `image`, `organizer`, `performer` (and `offers`, which a
program has nothing to say about). tests/program/test_structured_data.py checks every page."""

import json

from django import template
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from program.events import place_of, talk_times
from program.links import path_to
from program.models import AttendanceMode, ChangeLogEntry, Conference, Session, Talk
from speakers.models import Affiliation, Speaker

register = template.Library()

# Keep the JSON from closing the <script> element or opening markup (as json_script does).
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

SCHEMA = "https://schema.org/"
ATTENDANCE_MODES = {
    AttendanceMode.ONLINE: SCHEMA + "OnlineEventAttendanceMode",
    AttendanceMode.OFFLINE: SCHEMA + "OfflineEventAttendanceMode",
    AttendanceMode.MIXED: SCHEMA + "MixedEventAttendanceMode",
}
SCHEDULED = SCHEMA + "EventScheduled"
RESCHEDULED = SCHEMA + "EventRescheduled"

# The site's own picture for shared links when the committee set none: 1200 x 630 PNG, made
# once with Pillow (docs/integrators/structured-data.md).
DEFAULT_SHARE_IMAGE = "img/share-default.png"
SHARE_IMAGE_SIZE = (1200, 630)
SITE_NAME = "OpML program"
SITE_DESCRIPTION = "Conference programs: sessions, talks, speakers and calendar feeds."
DESCRIPTION_WORDS = 50
# The program page names its first speakers only (session and talk pages name all theirs), so
# that a 2,000-talk program's page does not carry thousands of people twice.
MAX_CONFERENCE_PERFORMERS = 100


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address without query string (search terms, tracking)."""
    request = context.get("request")
    return request.build_absolute_uri(request.path) if request else ""


def local_iso(value, conference):
    return timezone.localtime(value, conference.tz).isoformat()


def share_image_url(conference, request):
    """The absolute URL of the picture for this conference's shared links: its 1200 x 630 copy
    when the committee set an image, else the site's default."""
    if conference is not None and conference.share_image:
        return request.build_absolute_uri(conference.share_image.url)
    return request.build_absolute_uri(static(DEFAULT_SHARE_IMAGE))


def organizer(conference):
    if not conference.organizer_name:
        return {}
    data = {"@type": "Organization", "name": conference.organizer_name}
    if conference.organizer_url:
        data["url"] = conference.organizer_url
    return {"organizer": data}


def location(session, request):
    """Where a session happens, as Google reads it, by the one place rule
    (`program.events.place_of`): the session's Slack channel is a VirtualLocation (its URL,
    else the session's page); a room is a Place, or for an online conference a VirtualLocation
    (its URL); a mixed conference gives both."""
    conference = session.conference
    place = place_of(session, conference)
    page = request.build_absolute_uri(session.get_absolute_url())
    if place.online:
        return {"@type": "VirtualLocation", "url": place.url or page, "name": place.name}
    name = "" if place.name == place.url else place.name
    url = place.url
    virtual = {"@type": "VirtualLocation", "url": url or session.slack_url or page}
    if name:
        virtual["name"] = name
    # Google requires an address for a Place; the committee's location is all we know of it.
    place = {"@type": "Place", "name": name, "address": name}
    if url:
        place["url"] = url
    mode = conference.attendance_mode
    if mode == AttendanceMode.MIXED and name:
        return [place, virtual]
    if name and (mode == AttendanceMode.OFFLINE or (not mode and not url)):
        return place
    return virtual


def conference_location(conference, sessions, request):
    """The conference's places: the rooms of its sessions, and for an online or mixed one a
    VirtualLocation (its default location's URL, else its program page)."""
    places = []
    for session in sessions:
        for item in as_list(location(session, request)):
            if item["@type"] == "Place" and item not in places:
                places.append(item)
    virtual = {
        "@type": "VirtualLocation",
        "url": conference.default_location_url
        or request.build_absolute_uri(conference.get_absolute_url()),
    }
    mode = conference.attendance_mode
    if mode == AttendanceMode.ONLINE or not places:
        return virtual
    if mode == AttendanceMode.MIXED:
        return [*places, virtual]
    return places[0] if len(places) == 1 else places


def as_list(value):
    return value if isinstance(value, list) else [value]


def attendance(conference):
    mode = ATTENDANCE_MODES.get(conference.attendance_mode)
    return {"eventAttendanceMode": mode} if mode else {}


def status(uids, rescheduled, conference):
    """EventScheduled, or EventRescheduled with the start before the change when the change
    log knows it (`rescheduled`: {uid: previous start}); the first of `uids` that moved."""
    for uid in uids:
        if uid in rescheduled:
            previous = rescheduled[uid]
            return {"eventStatus": RESCHEDULED} | (
                {"previousStartDate": local_iso(previous, conference)} if previous else {}
            )
    return {"eventStatus": SCHEDULED}


def person(author, request):
    """A byline's name (a `speakers.bylines.Author`) as a schema.org Person."""
    data = {
        "@type": "Person",
        "name": author.printed_name,
        "url": request.build_absolute_uri(
            path_to("speakers:speaker_detail", slug=author.speaker_slug)
        ),
    }
    if author.affiliation:
        data["affiliation"] = {"@type": "Organization", "name": author.affiliation.name}
    return data


def performers(talks, request, limit=None):
    """Each speaker once, in program order; at most `limit`."""
    seen, people = set(), []
    for talk in talks:
        for author in talk.byline:
            if limit is not None and len(people) >= limit:
                break
            if author.speaker_id not in seen:
                seen.add(author.speaker_id)
                people.append(person(author, request))
    return {"performer": people} if people else {}


def common(conference, request):
    """What every event of a conference says alike."""
    return {
        **attendance(conference),
        "image": [share_image_url(conference, request)],
        **organizer(conference),
    }


def talk_event(talk, request, rescheduled, *, full=False):
    session = talk.session
    conference = session.conference
    start, end = talk_times(talk, session)
    event = {
        "@type": "Event",
        "name": talk.title,
        "url": request.build_absolute_uri(talk.get_absolute_url()),
        "startDate": local_iso(start, conference),
        "endDate": local_iso(end, conference),
        **status([talk.uid, session.uid], rescheduled, conference),
        "location": location(session, request),
        **common(conference, request),
    }
    if talk.abstract or full:
        event["description"] = talk.abstract or str(session)
    event |= performers([talk], request)
    return event


def session_event(session, request, rescheduled, *, with_talks=True):
    conference = session.conference
    event = {
        "@type": "Event",
        "name": str(session),
        "url": request.build_absolute_uri(session.get_absolute_url()),
        "startDate": local_iso(session.start, conference),
        "endDate": local_iso(session.end, conference),
        "description": session.description or str(session),
        **status([session.uid], rescheduled, conference),
        "location": location(session, request),
        **common(conference, request),
    }
    if with_talks:
        talks = list(session.talks.all())
        for talk in talks:
            talk.session = session
        event |= performers(talks, request)
        event["subEvent"] = [talk_event(talk, request, rescheduled) for talk in talks]
    return event


def conference_event(conference, sessions, request, rescheduled):
    event = {
        "@type": "Event",
        "name": conference.name,
        "url": request.build_absolute_uri(conference.get_absolute_url()),
        "description": conference.intro or conference.program_title,
        "eventStatus": SCHEDULED,
        **common(conference, request),
        # Sessions only: each session's page lists its talks as its own sub-events.
        "subEvent": [session_event(s, request, rescheduled, with_talks=False) for s in sessions],
    }
    if sessions:
        event["startDate"] = local_iso(sessions[0].start, conference)
        event["endDate"] = local_iso(max(s.end for s in sessions), conference)
        event["location"] = conference_location(conference, sessions, request)
        talks = [t for s in sessions for t in s.talks.all()]
        event |= performers(talks, request, limit=MAX_CONFERENCE_PERFORMERS)
    return event


def script(data):
    """A JSON-LD element. It carries no CSP nonce: browsers never run a JSON data block, so
    `script-src 'self'` does not apply to it, and public pages are cached and shared
    (program/caching.py), which would hand every visitor the same nonce."""
    text = json.dumps({"@context": "https://schema.org", **data}, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),
    )


@register.simple_tag(takes_context=True)
def conference_jsonld(context, conference, sessions):
    rescheduled = ChangeLogEntry.objects.rescheduled([s.uid for s in sessions])
    return script(conference_event(conference, sessions, context["request"], rescheduled))


@register.simple_tag(takes_context=True)
def session_jsonld(context, session):
    talks = session.talks.all()
    rescheduled = ChangeLogEntry.objects.rescheduled([session.uid, *(t.uid for t in talks)])
    event = session_event(session, context["request"], rescheduled)
    event["superEvent"] = {
        "@type": "Event",
        "name": session.conference.name,
        "url": context["request"].build_absolute_uri(session.conference.get_absolute_url()),
    }
    return script(event)


@register.simple_tag(takes_context=True)
def talk_jsonld(context, talk):
    rescheduled = ChangeLogEntry.objects.rescheduled([talk.uid, talk.session.uid])
    event = talk_event(talk, context["request"], rescheduled, full=True)
    event["superEvent"] = session_event(
        talk.session, context["request"], rescheduled, with_talks=False
    )
    return script(event)


# --- Open Graph and Twitter cards ----------------------------------------------------------------


def summary(text):
    return Truncator(" ".join(text.split())).words(DESCRIPTION_WORDS)


def share_facts(context):
    """(title, description, type, conference) of the page being rendered, from the object its
    view put in the context; the site's defaults on other pages."""
    obj = context.get("object")
    if isinstance(obj, Talk):
        conference = obj.session.conference
        return obj.title, obj.abstract or str(obj.session), "article", conference
    if isinstance(obj, Session):
        conference = obj.conference
        return f"{obj} – {conference.name}", obj.description or str(obj), "website", conference
    if isinstance(obj, Conference):
        return obj.program_title, obj.intro or obj.program_title, "website", obj
    if isinstance(obj, Speaker):
        return obj.name, obj.bio or f"Talks by {obj.name}.", "profile", None
    if isinstance(obj, Affiliation):
        return obj.name, f"People of {obj.name} and their talks.", "website", None
    conference = context.get("conference")
    if isinstance(conference, Conference):
        return conference.program_title, conference.intro, "website", conference
    return None


@register.simple_tag(takes_context=True)
def share_meta(context):
    """Open Graph and Twitter card tags for any page: from the page's object when it has one,
    else the site's name and description."""
    request = context.get("request")
    if request is None:
        return ""
    facts = share_facts(context)
    if facts:
        title, description, kind, conference = facts
    else:
        title, description, kind, conference = SITE_NAME, SITE_DESCRIPTION, "website", None
    image = share_image_url(conference, request)
    own_image = conference is not None and bool(conference.share_image)
    alt = f"{conference.name}" if conference else SITE_NAME
    description = summary(description)
    width, height = SHARE_IMAGE_SIZE
    properties = [
        ("property", "og:type", kind),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", request.build_absolute_uri(request.path)),
        ("property", "og:site_name", conference.program_title if conference else SITE_NAME),
        ("property", "og:image", image),
        ("property", "og:image:type", "image/jpeg" if own_image else "image/png"),
        ("property", "og:image:width", width),
        ("property", "og:image:height", height),
        ("property", "og:image:alt", alt),
        ("name", "twitter:card", "summary_large_image"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
        ("name", "twitter:image", image),
        ("name", "twitter:image:alt", alt),
    ]
    return format_html_join("\n  ", '<meta {}="{}" content="{}">', properties)
