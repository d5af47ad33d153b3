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
    # /healthz, /readyz and /metrics for the load balancer and Prometheus (ops/views.py).
    path("", include("ops.urls")),
    path("", include("program.speaker_urls")),
    path("", include("program.feed_urls")),
    path("", include("program.urls")),
]
# Uploaded images, with DEBUG on only (`static()` adds nothing otherwise): in production the
# proxy serves MEDIA_ROOT.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# While the database is unreachable: the 503 page or a stale public copy, not Django's 500 page.
handler500 = "ops.views.server_error"
