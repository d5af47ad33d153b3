"""Public pages, feeds and exports only read: POST, PUT, PATCH and DELETE to them answer
`405 Method Not Allowed` with an `Allow` header, before CSRF checking (which would otherwise
answer Django's bare 403 "CSRF verification failed" page to a request that could never act).

The pages are the public cache's lists (program/caching.py) and the few public pages it does
not cache; picks' JSON endpoints (which take writes) and the admin are not among them."""

from django.http import HttpResponseNotAllowed
from django.urls import Resolver404, resolve

from program.caching import CONFERENCE_PAGES, SITE_PAGES

READ_ONLY_PAGES = frozenset(
    {
        *CONFERENCE_PAGES,
        *SITE_PAGES,
        "program:picks",
        "program:picks_detail",
        "feeds:picks",
        "robots_txt",
    }
)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ALLOWED = ["GET", "HEAD"]


class ReadOnlyPagesMiddleware:
    """Answer 405 to unsafe methods on read-only URLs; put it before CsrfViewMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = None
            if name in READ_ONLY_PAGES:
                response = HttpResponseNotAllowed(
                    ALLOWED,
                    "This address only answers GET and HEAD requests.\n",
                    content_type="text/plain; charset=utf-8",
                )
                response["Cache-Control"] = "no-store"
                return response
        return self.get_response(request)
