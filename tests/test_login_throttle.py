"""Sign-in throttling (django-axes): a handful of wrong passwords for one username from one
address pauses that pair, with the same answer whether the user exists or not."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
LIMIT = settings.AXES_FAILURE_LIMIT


def sign_in(client, username, password, address="192.0.2.10"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_the_limit_is_a_handful():
    assert 3 <= LIMIT <= 10
    assert settings.AXES_COOLOFF_TIME.total_seconds() >= 5 * 60


def test_wrong_passwords_lock_the_username_even_against_the_right_one(client, member):
    for _ in range(LIMIT - 1):
        response = sign_in(client, member.username, "wrong")
        assert response.status_code == 200  # the login form again, with its error
        assert "Please enter the correct username and password" in response.text
    locked = sign_in(client, member.username, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text
    assert sign_in(client, member.username, "not-used").status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_unknown_username_gets_the_same_answer(client, member):
    answers = {}
    for username in [member.username, "nobody-by-this-name"]:
        for _ in range(LIMIT):
            response = sign_in(client, username, "wrong")
        answers[username] = (response.status_code, response.text)
    assert answers[member.username] == answers["nobody-by-this-name"]
    assert member.username not in answers[member.username][1]


def test_the_lock_holds_one_username_from_one_address(client, member, django_user_model):
    django_user_model.objects.create_user("other", password="right-password", is_staff=True)
    for _ in range(LIMIT):
        sign_in(client, member.username, "wrong")
    # Another username from the same address, and the same username from elsewhere, still work.
    assert sign_in(client, "other", "right-password").status_code == 302
    client.logout()
    assert sign_in(client, member.username, "not-used", address="198.51.100.7").status_code == 302


def test_a_successful_sign_in_resets_the_count(client, member):
    for _ in range(LIMIT - 1):
        sign_in(client, member.username, "wrong")
    assert sign_in(client, member.username, "not-used").status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        assert sign_in(client, member.username, "wrong").status_code == 200
    assert sign_in(client, member.username, "not-used").status_code == 302


def test_the_lock_out_page_carries_the_policies(client):
    for _ in range(LIMIT):
        response = sign_in(client, "someone", "wrong")
    assert response.status_code == 429
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
