"""Who a request comes from, for every per-client limit, and the sign-in limit per address.

`client_address` is the one answer to "which client is this?": the picks' creation limit
(program/picks.py), sign-in throttling (django-axes, through AXES_CLIENT_IP_CALLABLE) and the
API's request rate (program/api.py) all count against it. Behind TRUSTED_PROXY_COUNT proxies
that each append the address they saw to X-Forwarded-For, the client is the Nth address from the
right, which a client cannot forge; without the setting X-Forwarded-For is ignored, since anyone
can send it.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def client_address(request):
    """REMOTE_ADDR, or the address the nearest trusted proxy saw (see the module's docstring)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            address.strip()
            for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if address.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


class AddressLimitHandler(AxesDatabaseHandler):
    """django-axes' database handler, plus one limit per address: besides AXES_FAILURE_LIMIT
    wrong passwords for one username from one address, AXES_ADDRESS_FAILURE_LIMIT wrong
    passwords from one address, whatever the usernames (password spraying), lock that address
    out for the cool-off time."""

    def is_locked(self, request, credentials=None):
        """Checked before any password: a locked-out address cannot sign in at all."""
        return super().is_locked(request, credentials) or address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """After counting the failure, answer it with the lock-out page once the address is
        over its limit (axes does so only for the username's own limit)."""
        super().user_login_failed(sender, credentials, request, **kwargs)
        locked = request is not None and getattr(request, "axes_locked_out", False)
        if request is not None and not locked and address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def address_locked(request):
    failures = address_failures(get_client_ip_address(request))
    return failures >= settings.AXES_ADDRESS_FAILURE_LIMIT


def address_failures(address):
    """Failed sign-ins from `address`, for any username, within the cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
