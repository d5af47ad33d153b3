"""Importing a program text from the admin: upload, dry run, apply."""

import re

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from program.forms import ProgramImportForm
from program.models import Conference, Day, Session, Talk
from program.parser import MAX_PROGRAM_BYTES
from speakers.models import Affiliation, Authorship, Speaker
from tests.factories import SpeakerFactory

IMPORT = reverse("admin:program_conference_import")
MODELS = [Conference, Day, Session, Talk, Affiliation, Speaker, Authorship]


def counts():
    return [model.objects.count() for model in MODELS]


def upload(text, name="opml20-program.txt"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def dry_run(client, text, **fields):
    data = {"program": upload(text), "dry_run": "1"} | fields
    if "conference" not in fields:
        data["new_slug"] = "opml20"
    return client.post(IMPORT, data)


def test_the_form_is_rendered_with_crispy_forms(member_client, db):
    page = member_client.get(IMPORT)
    assert page.status_code == 200
    assert 'class="form-control' in page.text or 'class="form-select' in page.text
    assert 'enctype="multipart/form-data"' in page.text


def test_dry_run_writes_nothing_and_reports_per_model(member_client, seed_text):
    before = counts()
    response = dry_run(member_client, seed_text)
    assert response.status_code == 200
    assert counts() == before == [0] * len(MODELS)
    report = response.context["report"]
    assert report.dry_run
    rows = {row[0]: row[1:4] for row in response.context["rows"]}
    assert rows["talk"] == (25, 0, 0)
    assert rows["session"] == (8, 0, 0)
    assert "Dry run: nothing has been written yet" in response.text
    assert "Apply the import" in response.text


def test_apply_imports_and_records_the_import_in_history(member_client, member, seed_text):
    response = dry_run(member_client, seed_text)
    confirm = response.context["confirm_form"]
    data = {name: field.value() for name, field in ((n, confirm[n]) for n in confirm.fields)}
    data = {key: "" if value is None else value for key, value in data.items()}
    data["apply"] = "1"
    response = member_client.post(IMPORT, data)  # no second upload
    conference = Conference.objects.get(slug="opml20")
    assert response.status_code == 302
    assert response.url == reverse("admin:program_conference_readiness", args=[conference.pk])
    assert Talk.objects.filter(session__conference=conference).count() == 25
    assert not conference.is_published  # drafts unless asked
    entry = LogEntry.objects.get(object_id=str(conference.pk), content_type__model="conference")
    assert entry.user == member
    assert entry.action_flag == ADDITION
    assert "opml20-program.txt" in entry.change_message
    talk = Talk.objects.first()
    assert LogEntry.objects.filter(object_id=str(talk.pk), content_type__model="talk").exists()


def test_reimport_into_the_conference_is_all_unchanged(member_client, opml20, seed_text):
    response = dry_run(member_client, seed_text, conference=opml20.pk)
    assert response.status_code == 200
    rows = {row[0]: row[1:4] for row in response.context["rows"]}
    assert rows["talk"] == (0, 0, 25)
    assert not response.context["report"].changed


def test_a_bad_file_gives_a_clear_error_and_changes_nothing(member_client, opml20, seed_text):
    before = counts()
    broken = seed_text.replace("Session 2:", "Sesion 2:", 1)
    response = dry_run(member_client, broken, conference=opml20.pk)
    assert response.status_code == 200
    errors = response.context["form"].errors["program"]
    assert errors[0].startswith("Line ")
    assert "Nothing was imported" in errors[0]
    assert counts() == before


def test_a_file_that_is_not_text_is_refused(member_client, db):
    response = member_client.post(
        IMPORT,
        {
            "program": SimpleUploadedFile("x.pdf", b"%PDF-\xff\xfe\x00"),
            "new_slug": "x",
            "dry_run": "1",
        },
    )
    assert "not UTF-8" in response.context["form"].errors["program"][0]


def test_apply_with_a_tampered_text_changes_nothing(member_client, opml20, seed_text):
    before = counts()
    response = member_client.post(
        IMPORT,
        {"text": "not a program", "conference": opml20.pk, "apply": "1", "publish": "False"},
    )
    assert response.status_code == 200
    assert response.context["apply_errors"]
    assert "The import was not applied" in response.text
    assert counts() == before


def test_conference_choice_is_required(member_client, seed_text):
    response = member_client.post(IMPORT, {"program": upload(seed_text), "dry_run": "1"})
    assert "new_slug" in response.context["form"].errors


def test_a_time_zone_mismatch_with_the_conference_is_reported(member_client, db, seed_text):
    Conference.objects.create(name="Elsewhere", slug="elsewhere", time_zone="Europe/Paris")
    conference = Conference.objects.get(slug="elsewhere")
    response = dry_run(member_client, seed_text, conference=conference.pk)
    assert "Europe/Paris" in response.context["form"].errors["program"][0]


# --- Hardening: the admin answers as the command does, and writes nothing ------------------------


def apply(client, response):
    """Post the dry run's hidden form back with "apply", as the browser does."""
    confirm = response.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    data = {key: "" if value is None else value for key, value in data.items()}
    return client.post(IMPORT, data | {"apply": "1"})


def test_a_nul_byte_in_the_file_is_dropped_not_stored(member_client, seed_text):
    response = dry_run(member_client, seed_text.replace("Runway - Model", "Runway\x00 - Model"))
    assert response.status_code == 200
    assert response.context["report"].created["talk"][3].startswith("Runway - Model")
    assert apply(member_client, response).status_code == 302
    titles = list(Talk.objects.values_list("title", flat=True))
    assert "Runway - Model Lifecycle Management at Netflix" in titles
    assert not any("\x00" in title for title in titles)


def test_a_byte_order_mark_is_dropped(member_client, seed_text):
    response = dry_run(member_client, "\ufeff" + seed_text)
    assert response.context["report"].created["conference"] == ["OpML '20"]


def test_a_file_over_the_size_limit_is_refused(member_client, db, seed_text):
    response = dry_run(member_client, seed_text + "\n" * (MAX_PROGRAM_BYTES + 1))
    assert "larger than 2 MB" in response.context["form"].errors["program"][0]
    assert counts() == [0] * len(MODELS)


def test_a_5000_digit_session_number_names_its_line(member_client, db, seed_text):
    text = seed_text.replace("Session 2: Model", f"Session {'9' * 5000}: Model")
    response = dry_run(member_client, text)
    assert response.status_code == 200
    error = response.context["form"].errors["program"][0]
    line = text[: text.index("9" * 5000)].count("\n") + 1
    assert error.startswith(f"Line {line} of the file: ")
    assert "too large a number" in error


@pytest.mark.parametrize("zone", ["Mars/Base", "../../etc/passwd"])
def test_an_unknown_time_zone_is_a_field_error(member_client, db, seed_text, zone):
    response = dry_run(member_client, seed_text, time_zone=zone)
    assert response.status_code == 200
    assert "not an IANA time zone name" in response.context["form"].errors["time_zone"][0]
    assert counts() == [0] * len(MODELS)


def test_what_the_database_would_refuse_names_its_line_at_both_steps(member_client, seed_text):
    """The same speaker twice in a byline ("Mike Arov" is Mikhail Arov) is refused in the dry
    run; a text tampered with between the steps is refused at the apply step."""
    text = seed_text.replace("Yan Yan, Facebook", "Mike Arov and Mikhail Arov, Intuit", 1)
    response = dry_run(member_client, text)
    assert "are the same speaker" in response.context["form"].errors["program"][0]
    response = apply(member_client, dry_run(member_client, seed_text))
    assert response.status_code == 302
    before = counts()
    response = dry_run(member_client, seed_text, conference=Conference.objects.get().pk)
    confirm = response.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    data = {key: "" if value is None else value for key, value in data.items()}
    data["text"] = text
    response = member_client.post(IMPORT, data | {"apply": "1"})
    assert response.status_code == 200
    assert "are the same speaker" in response.context["apply_errors"][0]
    assert counts() == before


def test_the_apply_step_carries_a_2_mb_program_within_djangos_upload_limit(
    member_client, opml20, seed_text
):
    """The carried text goes back multipart (urlencoded, a 2 MB program grows past
    DATA_UPLOAD_MAX_MEMORY_SIZE), and the browser's "\\r\\n" do not count against the limit."""
    page = dry_run(member_client, seed_text, conference=opml20.pk).text
    assert re.search(
        r'<form method="post" enctype="multipart/form-data">(?:(?!</form>).)*'
        r'name="apply"',
        page,
        re.DOTALL,
    )
    text = seed_text + "\n" * (MAX_PROGRAM_BYTES - len(seed_text.encode()))
    form = ProgramImportForm(
        {"text": text.replace("\n", "\r\n"), "conference": opml20.pk}, confirm=True
    )
    assert form.is_valid(), form.errors


def test_an_import_suggests_look_alike_speakers(member_client, seed_text):
    SpeakerFactory(name="Todd M. Underwood", slug="todd-m-underwood")
    response = dry_run(member_client, seed_text)
    confirm = response.context["confirm_form"]
    data = {name: field.value() for name, field in ((n, confirm[n]) for n in confirm.fields)}
    data = {key: "" if value is None else value for key, value in data.items()} | {"apply": "1"}
    page = member_client.post(IMPORT, data, follow=True)
    assert "Some speakers may be one person (Todd M. Underwood / Todd Underwood)" in page.text
    assert "Speakers who may be one person" in page.text
