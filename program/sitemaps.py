"""The sitemap (sitemap.xml): every public page, with when it last changed."""

from django.contrib.sitemaps import Sitemap

from program.models import Conference, Session, Talk
from speakers.models import Affiliation, Speaker


class ConferenceSitemap(Sitemap):
    priority = 1.0

    def items(self):
        return Conference.objects.published()

    def lastmod(self, obj):
        return obj.updated_at


class SessionSitemap(Sitemap):
    def items(self):
        return Session.objects.published().select_related("conference")

    def lastmod(self, obj):
        return obj.updated_at


class TalkSitemap(Sitemap):
    def items(self):
        return Talk.objects.published().select_related("session__conference")

    def lastmod(self, obj):
        return obj.updated_at


class SpeakerSitemap(Sitemap):
    priority = 0.4

    def items(self):
        return Speaker.objects.presenting(Talk.objects.published())

    def lastmod(self, obj):
        return obj.updated_at


class AffiliationSitemap(Sitemap):
    priority = 0.3

    def items(self):
        return Affiliation.objects.public(Talk.objects.published())

    def lastmod(self, obj):
        return obj.updated_at


SITEMAPS = {
    "conferences": ConferenceSitemap,
    "sessions": SessionSitemap,
    "talks": TalkSitemap,
    "speakers": SpeakerSitemap,
    "affiliations": AffiliationSitemap,
}
