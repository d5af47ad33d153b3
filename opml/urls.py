"""Root URLs: the admin, the speaker pages, then each conference's pages under its slug."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("speakers.urls")),
    path("", include("program.urls")),
]
