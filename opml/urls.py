"""Root URLs: the admin, the speaker pages, then each conference's pages under its slug."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from program import sitemaps, views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("api/", include("program.api_urls")),
    path("", include("selfservice.urls")),
    path("", include("program.speaker_urls")),
    path("", include("program.feed_urls")),
    path("", include("program.urls")),
]
# Uploaded images, with DEBUG on only (`static()` adds nothing otherwise): in production the
# proxy serves MEDIA_ROOT.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
