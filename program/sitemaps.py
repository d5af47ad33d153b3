"""The sitemap (sitemap.xml): every public page, with when it last changed.

It lists thousands of pages (a 2,000-talk program has some 5,000), so each section reads value
rows, not models, in one query, and builds its paths from a `str.format` template made once per
URL name (program/links.py), not with a `reverse()` per row: every item is a (path, lastmod)
pair. Sections return lists, so Django's paginator takes their length instead of a COUNT.
Slugs go into the paths as they are: the URLs take only slugs and numbers, which reverse() would
not quote either.

Django's sitemap view runs as it is (sections, pages, Last-Modified, X-Robots-Tag); only its
template is replaced by `urlset_xml`, which writes the same bytes by string formatting: rendering
the template, a few nodes per URL, took five sixths of a cold render of the sitemap of a
2,000-talk program (benchmarks/bench_pages.py --large: 935 ms, 156 ms without it)."""

from datetime import datetime
from html import escape

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.utils import timezone

from program.links import path_format
from program.models import Conference, ProgramVersion, Session, Talk
from speakers.models import Affiliation, Speaker
from speakers.text import printable


class PathSitemap(Sitemap):
    """A section whose items are (path, lastmod) pairs."""

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]


class ConferenceSitemap(PathSitemap):
    priority = 1.0

    def items(self):
        path = path_format("program:conference_detail", slug="")
        rows = Conference.objects.published().values_list("slug", "updated_at")
        return [(path.format(slug=slug), updated_at) for slug, updated_at in rows]


class IndexSitemap(PathSitemap):
    """The index pages: each published conference's sessions, speakers and change log, then
    everyone's speakers and organisations. An index page says when it last changed only in its
    Last-Modified header, which is the version it is cached under (program/caching.py): the
    conference's for the first three, the site's for the other two. Their lastmod is that."""

    CONFERENCE_PAGES = ("program:session_list", "program:speaker_list", "program:changes")
    SITE_PAGES = ("speakers:speaker_list", "speakers:affiliation_list")

    def items(self):
        paths = [path_format(name, slug="") for name in self.CONFERENCE_PAGES]
        rows = Conference.objects.published().values_list("slug", "version__changed_at")
        items = [
            (path.format(slug=slug), changed_at) for slug, changed_at in rows for path in paths
        ]
        site_changed_at = (
            ProgramVersion.objects.filter(scope=ProgramVersion.SITE)
            .values_list("changed_at", flat=True)
            .first()
        )
        return items + [(path_format(name), site_changed_at) for name in self.SITE_PAGES]


class SessionSitemap(PathSitemap):
    def items(self):
        path = path_format("program:session_detail", conference_slug="", number=0)
        rows = Session.objects.published().values_list("conference__slug", "number", "updated_at")
        return [
            (path.format(conference_slug=conference, number=number), updated_at)
            for conference, number, updated_at in rows
        ]


class TalkSitemap(PathSitemap):
    def items(self):
        path = path_format("program:talk_detail", conference_slug="", slug="")
        rows = Talk.objects.published().values_list(
            "session__conference__slug", "slug", "updated_at"
        )
        return [
            (path.format(conference_slug=conference, slug=slug), updated_at)
            for conference, slug, updated_at in rows
        ]


class SpeakerSitemap(PathSitemap):
    priority = 0.4

    def items(self):
        path = path_format("speakers:speaker_detail", slug="")
        rows = Speaker.objects.presenting(Talk.objects.published()).values_list(
            "slug", "updated_at"
        )
        return [(path.format(slug=slug), updated_at) for slug, updated_at in rows]


class AffiliationSitemap(PathSitemap):
    priority = 0.3

    def items(self):
        path = path_format("speakers:affiliation_detail", slug="")
        rows = Affiliation.objects.public(Talk.objects.published()).values_list(
            "slug", "updated_at"
        )
        return [(path.format(slug=slug), updated_at) for slug, updated_at in rows]


SITEMAPS = {
    "conferences": ConferenceSitemap,
    "indexes": IndexSitemap,
    "sessions": SessionSitemap,
    "talks": TalkSitemap,
    "speakers": SpeakerSitemap,
    "affiliations": AffiliationSitemap,
}


URLSET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
URLSET_END = "\n</urlset>\n"


def lastmod_date(value, zone):
    """`{{ value|date:"Y-m-d" }}`: an aware datetime in the current time zone, as templates."""
    if isinstance(value, datetime) and zone is not None and not timezone.is_naive(value):
        value = value.astimezone(zone)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def urlset_xml(urls):
    """What Django's `sitemap.xml` template renders for `urls` (the view's "urlset"), byte for
    byte: the same escaping, dates and whitespace (`spaceless`). Tests compare the two."""
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    parts = [URLSET_START]
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url["lastmod"]:
            parts.append(f"<lastmod>{lastmod_date(url['lastmod'], zone)}</lastmod>")
        if url["changefreq"]:
            parts.append(f"<changefreq>{escape(str(url['changefreq']))}</changefreq>")
        if url["priority"]:
            parts.append(f"<priority>{escape(url['priority'])}</priority>")
        for alternate in url["alternates"]:
            parts.append(
                f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}" '
                f'href="{escape(alternate["location"])}"/>'
            )
        parts.append("</url>")
    parts.append(URLSET_END)
    return "".join(parts)


def sitemap(request):
    """Django's sitemap view over SITEMAPS, its response written by `urlset_xml`."""
    response = sitemap_views.sitemap(request, SITEMAPS)
    response.content = printable(urlset_xml(response.context_data["urlset"]))
    return response
