"""Forms of the committee's admin: session and talk change forms, and the program import."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.forms.models import InlineForeignKeyField, ModelChoiceField

from program.models import Conference, Session, Talk
from program.parser import (
    MAX_PROGRAM_BYTES,
    ProgramFormatError,
    ProgramInputError,
    parse_program,
    read_program,
)
from program.validators import validate_conference_slug, validate_time_zone


def day_label(day):
    return f"{day.date:%a %d %b %Y} · {day.conference}"


def session_label(session):
    return f"{session.conference} · Session {session.number}: {session.title}"


class SessionAdminForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["conference", "day", "start", "end"]  # the admin passes the full list

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(self.fields.get("day"), ModelChoiceField):
            self.fields["day"].label_from_instance = day_label


class TalkAdminForm(forms.ModelForm):
    """A talk's form, on its own page and as a row of its session's page. Errors in its times
    come from Talk.clean, on the field at fault."""

    class Meta:
        model = Talk
        fields = ["session", "start", "end"]  # the admin passes the full list

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("session")
        if isinstance(field, ModelChoiceField) and not isinstance(field, InlineForeignKeyField):
            field.queryset = field.queryset.select_related("conference").order_by(
                "conference__name", "start", "number"
            )
            field.label_from_instance = session_label


class ProgramImportForm(forms.Form):
    """Upload a program text (or carry it, hidden, from the dry run to the apply step), choose
    the conference, and parse it. `parsed` and `slug` are set once the form is valid."""

    program = forms.FileField(
        label="Program text file",
        required=False,
        help_text="UTF-8 text in the USENIX program format, like the OpML '20 program.",
    )
    # Not stripped: the apply step must number lines as the dry run did.
    text = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    filename = forms.CharField(required=False, widget=forms.HiddenInput)
    conference = forms.ModelChoiceField(
        Conference.objects.all(),
        required=False,
        empty_label="— a new conference —",
        help_text="An existing conference is updated in place: what matches stays, what the "
        "file changes is updated, nothing is deleted.",
    )
    new_slug = forms.SlugField(
        label="Slug of the new conference",
        required=False,
        validators=[validate_conference_slug],
        help_text="Only for a new conference, e.g. “opml20”: it appears in every URL.",
    )
    year = forms.IntegerField(
        required=False,
        min_value=1900,
        max_value=2200,
        help_text="Only if the title does not give it (“OpML '20” gives 2020).",
    )
    time_zone = forms.CharField(
        required=False,
        validators=[validate_time_zone],
        help_text="IANA zone, only if the program's time note does not give it "
        "(“Pacific Daylight Time (PDT)” gives America/Los_Angeles).",
    )
    publish = forms.BooleanField(
        label="Publish what the import creates",
        required=False,
        help_text="Leave unticked to create drafts, check them, then publish from the "
        "readiness report.",
    )

    def __init__(self, *args, confirm=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed = None
        self.slug = None
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        if confirm:
            # The apply step: everything from the dry run, carried in hidden fields.
            del self.fields["program"]
            for field in self.fields.values():
                field.widget = forms.HiddenInput()
        else:
            self.helper.layout = Layout(
                Fieldset("Program", "program"),
                Fieldset("Conference", "conference", "new_slug", "publish"),
                Fieldset("Only if the file does not say", "year", "time_zone"),
            )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("program")
        if upload:
            cleaned["text"] = self.read(upload.read(MAX_PROGRAM_BYTES + 1))
            cleaned["filename"] = upload.name
        elif cleaned.get("text"):
            # Carried from the dry run (whose text has only "\n" line breaks; browsers send
            # "\r\n"): held to the same limits as an upload.
            cleaned["text"] = self.read(cleaned["text"].replace("\r\n", "\n").encode())
        if not cleaned.get("text") and not self.has_error("program"):
            self.add_error(self.file_field, "Choose the program text file to import.")
        conference, new_slug = cleaned.get("conference"), cleaned.get("new_slug")
        if conference and new_slug:
            self.add_error("new_slug", "Choose a conference or give a new slug, not both.")
        elif not conference and not self.has_error("new_slug"):
            if not new_slug:
                self.add_error("new_slug", "Give the new conference a slug, or choose one above.")
            elif Conference.objects.filter(slug=new_slug).exists():
                self.add_error(
                    "new_slug", f"“{new_slug}” is already a conference: choose it above."
                )
        if self.errors:
            return cleaned
        self.slug = conference.slug if conference else new_slug
        try:
            self.parsed = parse_program(
                cleaned["text"],
                year=cleaned.get("year"),
                time_zone=cleaned.get("time_zone") or None,
            )
        except ProgramInputError as error:
            self.add_error(error.option, error.message)
        except ProgramFormatError as error:
            self.add_format_error(error)
        return cleaned

    @property
    def file_field(self):
        """Where errors about the file go: its field, or the top of the apply step's form."""
        return "program" if "program" in self.fields else None

    def read(self, data):
        """The program's text, read as the command reads a file (see `read_program`)."""
        try:
            return read_program(data)
        except ProgramInputError as error:
            self.add_error(self.file_field, error.message)
            return ""

    def add_format_error(self, error):
        """Report a ProgramFormatError (from parsing or applying) against the file."""
        self.add_error(
            self.file_field, f"Line {error.line} of the file: {error.message} Nothing was imported."
        )
