"""One client address (program/clients.py), from TRUSTED_PROXY_COUNT, feeds every per-client
limit: picks lists, sign-in throttling, the API's rate. And sign-in also slows password spraying
(many usernames from one address)."""

import json

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from program.clients import client_address

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"


def visitor(address):
    """A browser behind our one trusted proxy: the proxy connects, and appends its address."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.99, {address}")


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", PROXY),  # not trusted: a forged header changes nothing
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.1, 203.0.113.9", "198.51.100.1"),
        (2, "203.0.113.9", PROXY),  # fewer entries than proxies: not to be trusted
        (1, "", PROXY),
    ],
)
def test_the_client_is_the_address_the_nearest_trusted_proxy_saw(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def create_list(client):
    return client.post("/picks/lists/", json.dumps({"items": []}), content_type="application/json")


def test_behind_the_proxy_each_visitor_has_their_own_picks_allowance(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PICKS_CREATE_PER_HOUR = 2
    first, second = visitor("203.0.113.1"), visitor("203.0.113.2")
    assert [create_list(first).status_code for _ in range(3)] == [201, 201, 429]
    assert create_list(second).status_code == 201, "one visitor used up no one else's hour"


def sign_in(client, username, password="wrong"):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )


def test_behind_the_proxy_sign_in_locks_one_visitor(settings, member):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker, colleague = visitor("203.0.113.1"), visitor("203.0.113.2")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, member.username)
    assert sign_in(attacker, member.username, "not-used").status_code == 429
    assert sign_in(colleague, member.username, "not-used").status_code == 302


def test_many_usernames_from_one_address_are_slowed_too(settings, member):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    sprayer = Client(REMOTE_ADDR="203.0.113.5")
    for number in range(5):  # one wrong password each: no username reaches its own limit
        assert sign_in(sprayer, f"user{number}").status_code == 200
    assert sign_in(sprayer, "user5").status_code == 429  # the address's sixth failure
    locked = sign_in(sprayer, member.username, "not-used")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(elsewhere, member.username, "not-used").status_code == 302


def test_the_api_rate_is_per_visitor(settings, opml20):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.API_REQUESTS_PER_MINUTE = 3
    busy, other = visitor("203.0.113.1"), visitor("203.0.113.2")
    # Distinct URLs: a response the public cache already holds is served without counting.
    answers = [busy.get("/api/talks/", {"page_size": size}).status_code for size in range(1, 5)]
    assert answers == [200, 200, 200, 429]
    assert "Retry-After" in busy.get("/api/talks/", {"page_size": 9})
    assert other.get("/api/talks/", {"page_size": 7}).status_code == 200
