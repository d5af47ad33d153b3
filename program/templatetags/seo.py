"""Canonical URLs and schema.org Event data (JSON-LD), so shared links and search results
show the right page, title and times."""

import json

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from program.templatetags.program_tags import timed

register = template.Library()

# Keep the JSON from closing the <script> element or opening markup (as json_script does).
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address without query string (search terms, tracking)."""
    request = context.get("request")
    return request.build_absolute_uri(request.path) if request else ""


def local_iso(value, conference):
    return timezone.localtime(value, conference.tz).isoformat()


def talk_event(talk, request, *, full=False):
    conference = talk.session.conference
    times = timed(talk)
    event = {
        "@type": "Event",
        "name": talk.title,
        "url": request.build_absolute_uri(talk.get_absolute_url()),
        "startDate": local_iso(times.start, conference),
        "endDate": local_iso(times.end, conference),
    }
    if full:
        event["description"] = talk.abstract
        event["performer"] = [
            {
                "@type": "Person",
                "name": authorship.printed_name,
                "url": request.build_absolute_uri(authorship.speaker.get_absolute_url()),
                **(
                    {"affiliation": {"@type": "Organization", "name": authorship.affiliation.name}}
                    if authorship.affiliation
                    else {}
                ),
            }
            for authorship in talk.authorships.all()
        ]
    return event


def session_event(session, request, *, with_talks=True):
    conference = session.conference
    event = {
        "@type": "Event",
        "name": str(session),
        "url": request.build_absolute_uri(session.get_absolute_url()),
        "startDate": local_iso(session.start, conference),
        "endDate": local_iso(session.end, conference),
        "description": session.description,
    }
    if with_talks:
        event["subEvent"] = [talk_event(talk, request) for talk in session.talks.all()]
    return event


def conference_event(conference, sessions, request):
    event = {
        "@type": "Event",
        "name": conference.name,
        "url": request.build_absolute_uri(conference.get_absolute_url()),
        "description": conference.intro,
        # Sessions only: each session's page lists its talks as its own sub-events.
        "subEvent": [session_event(s, request, with_talks=False) for s in sessions],
    }
    if sessions:
        event["startDate"] = local_iso(sessions[0].start, conference)
        event["endDate"] = local_iso(max(s.end for s in sessions), conference)
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
    return script(conference_event(conference, sessions, context["request"]))


@register.simple_tag(takes_context=True)
def session_jsonld(context, session):
    event = session_event(session, context["request"])
    event["superEvent"] = {
        "@type": "Event",
        "name": session.conference.name,
        "url": context["request"].build_absolute_uri(session.conference.get_absolute_url()),
    }
    return script(event)


@register.simple_tag(takes_context=True)
def talk_jsonld(context, talk):
    event = talk_event(talk, context["request"], full=True)
    event["superEvent"] = session_event(talk.session, context["request"], with_talks=False)
    return script(event)
