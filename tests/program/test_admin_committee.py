"""What the committee meets first: filling links in bulk, the admin home, counted messages."""

import pytest
from django.urls import reverse

from program.models import Conference, Session, Talk
from speakers.merging import AffiliationMerge
from speakers.models import Affiliation
from tests.factories import AffiliationFactory


def bulk_data(response, field, values):
    """The changelist's list_editable formset as posted, with `values` {pk: value} filled in."""
    formset = response.context["cl"].formset
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(len(formset.forms)),
        f"{formset.prefix}-INITIAL_FORMS": str(len(formset.forms)),
        "_save": "Save",
    }
    for form in formset.forms:
        data[f"{form.prefix}-id"] = str(form.instance.pk)
        data[f"{form.prefix}-{field}"] = values.get(form.instance.pk, getattr(form.instance, field))
    return data


def test_committee_fills_every_slack_link_from_the_session_list(member_client, opml20):
    url = reverse("admin:program_session_changelist") + f"?conference__id__exact={opml20.pk}"
    page = member_client.get(url)
    assert page.status_code == 200
    sessions = list(Session.objects.filter(conference=opml20))
    values = {s.pk: f"https://opml.slack.com/archives/session-{s.number}" for s in sessions}
    response = member_client.post(url, bulk_data(page, "slack_url", values))
    assert response.status_code == 302
    for session in Session.objects.filter(conference=opml20):
        assert session.slack_url == values[session.pk]


def test_committee_fills_media_links_from_the_talk_list(member_client, opml20):
    url = reverse("admin:program_talk_changelist") + f"?session__conference={opml20.pk}"
    page = member_client.get(url)
    talk = Talk.objects.filter(session__conference=opml20).first()
    media = "https://www.usenix.org/conference/opml20/presentation/example"
    response = member_client.post(url, bulk_data(page, "media_url", {talk.pk: media}))
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.media_url == media


@pytest.mark.parametrize("bad", ["ftp://files.example.org/talk.mp4", "javascript:alert(1)"])
def test_links_must_be_web_addresses(member_client, opml20, bad):
    url = reverse("admin:program_talk_changelist") + f"?session__conference={opml20.pk}"
    page = member_client.get(url)
    talk = Talk.objects.filter(session__conference=opml20).first()
    response = member_client.post(url, bulk_data(page, "media_url", {talk.pk: bad}))
    assert response.status_code == 200
    assert "Enter a web address starting with http:// or https://." in response.text
    talk.refresh_from_db()
    assert talk.media_url == ""


def test_the_admin_home_offers_import_a_program(member_client, db):
    html = member_client.get(reverse("admin:index")).text
    assert f'href="{reverse("admin:program_conference_import")}">Import a program</a>' in html
    assert "css/admin.css" in html


def test_one_conference_is_not_one_conferences(member_client, opml20):
    Conference.objects.filter(pk=opml20.pk).update(is_published=False)
    Session.objects.filter(conference=opml20).update(is_published=False)
    response = member_client.post(
        reverse("admin:program_conference_changelist"),
        {"action": "publish_with_program", "_selected_action": [opml20.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Published 1 conference, 8 sessions, 0 talks."]
    response = member_client.post(
        reverse("admin:program_session_changelist"),
        {"action": "unpublish", "_selected_action": [Session.objects.first().pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Unpublished 1 session."]


def test_merge_summaries_count_in_words(db):
    kept, other = AffiliationFactory(name="Acme"), AffiliationFactory(name="Acme Inc")
    plan = AffiliationMerge.plan(kept, [other])
    assert "0 speakers and 0 authorships moved." in plan.summary()
    assert "(s)" not in plan.summary()


def test_the_merge_page_updates_its_plan_with_or_without_javascript(member_client, db):
    one, two = AffiliationFactory(name="Acme"), AffiliationFactory(name="Acme Inc")
    url = reverse("admin:speakers_affiliation_changelist")
    data = {"action": "merge", "_selected_action": [one.pk, two.pk]}
    page = member_client.post(url, data)
    assert "js/admin-merge.js" in page.text
    assert "Update the plan for the one I chose" in page.text
    chosen = member_client.post(url, data | {"target": two.pk, "preview": "1"})
    assert "What the merge into “Acme Inc” does" in chosen.text
    assert Affiliation.objects.count() == 2


def test_the_readiness_report_links_to_the_bulk_fill_lists(member_client, opml20):
    html = member_client.get(reverse("admin:program_conference_readiness", args=[opml20.pk])).text
    sessions = f"/admin/program/session/?conference__id__exact={opml20.pk}&amp;slack=no"
    talks = f"/admin/program/talk/?session__conference={opml20.pk}&amp;missing=media"
    assert f'<a href="{sessions}">Fill them all on one page</a>' in html
    assert f'<a href="{talks}">Fill them all on one page</a>' in html
    # The links lead to lists with the missing ones, editable in place.
    page = member_client.get(sessions.replace("&amp;", "&"))
    assert len(page.context["cl"].formset.forms) == 8
    page = member_client.get(talks.replace("&amp;", "&"))
    assert len(page.context["cl"].formset.forms) == 25
