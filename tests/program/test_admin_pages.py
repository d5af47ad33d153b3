"""Every admin page of the program and speaker models, as a program committee member sees it."""

import uuid
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from program.models import Conference, Day, EventRevision, Session, Talk
from speakers.models import Affiliation, Authorship, Speaker
from tests.factories import COMMITTEE, TalkFactory

# (model, inline formset prefixes its change page renders)
CURATED = [
    (Conference, ["days"]),
    (Day, []),
    (Session, ["talks"]),
    (Talk, ["authorships"]),
    (Affiliation, []),
    (Speaker, ["authorships"]),
    (Authorship, []),
]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_the_group_holds_curation_permissions_and_nothing_over_users(db):
    codenames = set(
        Group.objects.get(name=COMMITTEE).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    expected = {
        (model._meta.app_label, f"{action}_{model._meta.model_name}")
        for model, _ in CURATED
        for action in ("add", "change", "delete", "view")
    } | {
        # Speakers' own pages: review proposals, see and revoke links (never add or delete).
        ("selfservice", f"{action}_{model}")
        for model in ("proposal", "speakerlink")
        for action in ("change", "view")
    }
    assert codenames == expected


@pytest.mark.parametrize(("model", "inlines"), CURATED, ids=lambda v: getattr(v, "__name__", ""))
def test_member_opens_changelist_add_and_change_pages(opml20, member_client, model, inlines):
    changelist = member_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200

    add = member_client.get(admin_url(model, "add"))
    assert add.status_code == 200

    obj = model.objects.order_by("pk").first()
    change = member_client.get(admin_url(model, "change", obj.pk))
    assert change.status_code == 200
    for prefix in inlines:
        assert f'name="{prefix}-TOTAL_FORMS"' in change.text, prefix
    history = member_client.get(admin_url(model, "history", obj.pk))
    assert history.status_code == 200


@pytest.mark.parametrize(("model", "inlines"), CURATED, ids=lambda v: getattr(v, "__name__", ""))
def test_add_pages_render_their_inlines(db, member_client, model, inlines):
    page = member_client.get(admin_url(model, "add"))
    for prefix in inlines:
        if model is not Speaker:  # a speaker's talks are listed read-only, once saved
            assert f'name="{prefix}-TOTAL_FORMS"' in page.text, prefix


@pytest.mark.parametrize(
    "url",
    [
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
        "admin:auth_group_add",
    ],
)
def test_member_is_refused_users_and_groups(member_client, url):
    assert member_client.get(reverse(url)).status_code == 403


def test_member_cannot_open_a_user_or_the_group(member_client, member):
    assert member_client.get(reverse("admin:auth_user_change", args=[member.pk])).status_code == 403
    group = Group.objects.get(name=COMMITTEE)
    assert member_client.get(reverse("admin:auth_group_change", args=[group.pk])).status_code == 403


def test_member_sees_program_and_speakers_on_the_admin_index(member_client):
    page = member_client.get(reverse("admin:index"))
    assert page.status_code == 200
    assert reverse("admin:program_conference_changelist") in page.text
    assert reverse("admin:speakers_speaker_changelist") in page.text
    assert reverse("admin:auth_user_changelist") not in page.text


def test_staff_outside_the_committee_see_nothing_of_the_program(opml20, client, django_user_model):
    outsider = django_user_model.objects.create_user("outsider", password="x", is_staff=True)
    client.force_login(outsider)
    index = client.get(reverse("admin:index"))
    assert reverse("admin:program_conference_changelist") not in index.text
    conference = Conference.objects.get(slug="opml20")
    for url in [
        admin_url(Conference, "changelist"),
        admin_url(Session, "changelist"),
        admin_url(Speaker, "changelist"),
        admin_url(Conference, "change", conference.pk),
        reverse("admin:program_conference_readiness", args=[conference.pk]),
        reverse("admin:program_conference_import"),
    ]:
        assert client.get(url).status_code == 403, url


def test_conference_change_page_links_readiness_import_and_the_site(opml20, member_client):
    page = member_client.get(admin_url(Conference, "change", opml20.pk))
    assert reverse("admin:program_conference_readiness", args=[opml20.pk]) in page.text
    assert reverse("admin:program_conference_import") in page.text
    assert "View on site" in page.text
    add_session = f"{reverse('admin:program_session_add')}?conference={opml20.pk}"
    assert add_session in page.text
    form = member_client.get(add_session).context["adminform"].form
    assert form.initial["conference"] == str(opml20.pk)
    assert "Local time of OpML '20: America/Los_Angeles." in form.fields["start"].help_text
    assert {day.conference for day in form.fields["day"].queryset} == {opml20}


def test_session_page_shows_times_in_the_conference_zone(opml20, member_client):
    session = opml20.sessions.get(number=1)  # 9:00–10:30 PDT on July 28, 2020
    page = member_client.get(admin_url(Session, "change", session.pk))
    assert 'name="start_1" value="09:00:00"' in page.text
    assert 'name="end_1" value="10:30:00"' in page.text
    assert "America/Los_Angeles" in page.text


def test_sortable_inlines_are_offered(opml20, member_client):
    session = opml20.sessions.get(number=1)
    page = member_client.get(admin_url(Session, "change", session.pk))
    assert "sortable-inline" in page.text
    assert "js/sortable-inlines.js" in page.text  # it adds the drag handles


def test_talk_page_offers_to_add_a_speaker_and_an_affiliation_in_place(opml20, member_client):
    talk = Talk.objects.filter(session__conference=opml20).first()
    page = member_client.get(admin_url(Talk, "change", talk.pk))
    # Autocomplete widgets, each with its "add another" link that opens a popup.
    assert reverse("admin:autocomplete") in page.text
    assert 'data-field-name="speaker"' in page.text
    assert 'data-field-name="affiliation"' in page.text
    assert f"{reverse('admin:speakers_speaker_add')}?_to_field=id&amp;_popup=1" in page.text
    assert f"{reverse('admin:speakers_affiliation_add')}?_to_field=id&amp;_popup=1" in page.text


class FormReader(HTMLParser):
    """The values a browser would submit from one <form> of a page (no button, no file)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, {}
        self.select, self.textarea, self.first_option = None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data[attrs["name"]] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select":
            self.select, self.first_option = attrs["name"], None
            self.data[self.select] = ""
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = attrs.get("value", "")
            if "selected" in attrs:
                self.data[self.select] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.data[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += (
                data.removeprefix("\n") if not self.data[self.textarea] else data
            )


def form_data(response, form_id=None):
    """What the admin change page in `response` submits when saved unchanged."""
    form_id = form_id or f"{response.context['opts'].model_name}_form"
    reader = FormReader(form_id)
    reader.feed(response.content.decode())
    return reader.data


def test_member_deletes_a_conference_whose_feeds_were_read(db, member_client):
    """The feeds' revision rows go with their conference; they need no permission of their own."""
    conference = TalkFactory().session.conference
    EventRevision.objects.create(
        uid=uuid.uuid4(),
        conference=conference,
        content_hash="0" * 64,
        modified_at=timezone.now(),
        snapshot={},
    )
    url = admin_url(Conference, "delete", conference.pk)
    page = member_client.get(url)
    assert "permission to delete" not in page.text
    assert member_client.post(url, {"post": "yes"}).status_code == 302
    assert not Conference.objects.filter(pk=conference.pk).exists()
