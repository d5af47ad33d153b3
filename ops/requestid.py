"""One id per request, carried by every log line of that request and returned to the client.

The load balancer names each request (HAProxy's `unique-id-format`, sent as `X-Request-ID`); a
request that reaches a server directly gets an id made here. The id lives in a context variable
until the response is finished (after Django's own "Not Found" and access lines), and
`RequestIdFilter` copies it onto every log record."""

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
# What we accept from upstream: short and printable, so it cannot forge log lines or headers.
VALID = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")

current = contextvars.ContextVar("request_id", default="")


def request_id_for(request):
    """The load balancer's id when it is well-formed, else a new one."""
    given = request.META.get(META_KEY, "")
    return given if VALID.match(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = request_id_for(request)
        current.set(request.id)
        response = self.get_response(request)
        response[HEADER] = request.id
        return response


def current_id():
    """The id of the request being answered ("" outside one): a default for models' fields."""
    return current.get()


def forget(**kwargs):
    """On `request_finished`: log lines between requests carry no id."""
    current.set("")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (empty outside a request) to every record it sees."""

    def filter(self, record):
        if not getattr(record, "request_id", ""):
            record.request_id = current.get()
        return True
