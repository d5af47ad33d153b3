"""HTTP-level proof, against the site as deployed: one real gunicorn for the module, with DEBUG
off, a SECRET_KEY, ALLOWED_HOSTS=127.0.0.1 (no HTTPS redirect: there is no proxy), collected
static files and a throwaway SQLite database migrated and loaded with OpML '20, on a port the
system picks. Part of the default run (marker `server`, to select or skip it by name).

Collecting and compressing the static files takes about a minute of CPU, so they are collected
once into .cache/http-static/<hash of the static sources> and reused by every later run and
every xdist worker until a source changes (program/management/commands/static_stamp.py)."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from html import unescape
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from program.management.commands.static_stamp import sources_hash

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "http-static"
GUNICORN = Path(sys.executable).with_name("gunicorn")
STAFF = ("committee", "a-long-enough-test-password")

pytestmark = pytest.mark.server

SETUP = f"""
from django.contrib.auth.models import Group, User
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("loaddata", "opml20", verbosity=0)
user = User.objects.create_user({STAFF[0]!r}, password={STAFF[1]!r}, is_staff=True)
user.groups.add(Group.objects.get(name="Program committee"))
"""


def collected_static(env):
    """The folder of the collected static files of the current sources: collected by the first
    run (or worker) to need them, into a folder of its own renamed into place at once, so that
    a worker racing it never sees half a folder."""
    folder = CACHE / sources_hash()
    if not folder.is_dir():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = CACHE / f"{folder.name}.{os.getpid()}.partial"
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env | {"STATIC_ROOT": str(partial)},
            check=True,
            capture_output=True,
            timeout=600,
        )
        try:
            partial.rename(folder)
        except OSError:  # another worker collected the same files first
            shutil.rmtree(partial)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The base address of a gunicorn serving the site; stopped after the module."""
    folder = tmp_path_factory.mktemp("http")
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    env.update(
        DEBUG="false",
        SECRET_KEY="http-test-" + "s" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        TRUSTED_PROXY_COUNT="0",
        AXES_FAILURE_LIMIT="5",
        AXES_COOLOFF_MINUTES="15",
        LOG_LEVEL="WARNING",
    )
    env["STATIC_ROOT"] = str(collected_static(env))
    subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    log = folder / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [GUNICORN, "opml.wsgi", "--bind", "127.0.0.1:0", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not (match := re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log.read_text())):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield match[1]
    finally:
        process.terminate()
        process.wait(timeout=30)


class Client:
    """A tiny HTTP client that keeps cookies (Secure ones too: the test speaks plain HTTP to
    a server configured for a proxy that terminates HTTPS)."""

    def __init__(self, base):
        self.host, self.port = base.removeprefix("http://").split(":")
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        connection = HTTPConnection(self.host, int(self.port), timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        body = urlencode(data)
        return self.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def sign_in(self, username, password):
        page = self.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        return self.post(
            "/admin/login/",
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": "/admin/",
            },
        )


def policy(response):
    return dict(
        (part.split()[0], part.split()[1:])
        for part in response.headers["Content-Security-Policy"].split(";")
    )


@pytest.mark.parametrize(
    "path",
    [
        "/opml20/",
        "/opml20/sessions/1/",
        "/search/?q=kubernetes",
        "/sitemap.xml",
        "/opml20/calendar.ics",
        "/no-such-page/",
        "/admin/login/",
        "/static/css/site.css",
    ],
)
def test_every_response_carries_the_policies(server, path):
    response = Client(server).get(path)
    assert response.status in {200, 404}, response.text[:500]
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    permissions = response.headers["Permissions-Policy"]
    for feature in ["camera", "microphone", "geolocation"]:
        assert f"{feature}=()" in permissions
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if not path.startswith("/static/"):  # whitenoise answers before the clickjacking middleware
        assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.cache
def test_the_json_ld_needs_nothing_of_the_policy(server):
    client = Client(server)
    for _ in range(2):  # rendered, then from the public cache
        response = client.get("/opml20/sessions/1/")
        data = re.search(
            r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S
        )[1]
        assert json.loads(data)["name"].startswith("Session 1")
        assert policy(response)["script-src"] == ["'self'"]


def test_the_site_shows_its_own_404_page_without_details(server):
    response = Client(server).get("/no-such-page/")
    assert response.status == 404
    assert "Page not found" in unescape(response.text)
    assert "Traceback" not in response.text


def test_a_garbage_admin_filter_value_is_not_a_server_error(server):
    client = Client(server)
    assert client.sign_in(*STAFF).status == 302
    response = client.get("/admin/speakers/speaker/?conference=abc")
    assert response.status == 302
    assert response.headers["Location"].endswith("?e=1")
    assert client.get(response.headers["Location"]).status == 200


def test_an_oversized_form_is_refused(server):
    client = Client(server)
    page = client.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    response = client.post(
        "/admin/login/", {"csrfmiddlewaretoken": token, "username": "x" * 3_000_000}
    )
    assert response.status == 400


def test_sign_in_is_throttled_the_same_for_unknown_users(server):
    answers = {}
    for username in [STAFF[0], "nobody-by-this-name"]:
        client = Client(server)
        statuses = [client.sign_in(username, "wrong").status for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]
        locked = client.sign_in(username, STAFF[1] if username == STAFF[0] else "x")
        assert locked.status == 429
        assert "Too many failed sign-ins" in locked.text
        answers[username] = re.sub(r'value="[^"]+"', "", locked.text)
    assert answers[STAFF[0]] == answers["nobody-by-this-name"]
