"""Root URLs: the admin, the speaker pages, then each conference's pages under its slug."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from program.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("api/", include("program.api_urls")),
    path("", include("program.speaker_urls")),
    path("", include("program.feed_urls")),
    path("", include("program.urls")),
]
