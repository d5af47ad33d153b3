"""The form on a speaker's own page: their public details, their photo, their abstracts."""

from django import forms
from django.core.exceptions import ValidationError

from speakers import photos
from speakers.models import Speaker
from speakers.text import normalise_text, validate_web_url


class CleanCharField(forms.CharField):
    def to_python(self, value):
        return normalise_text(super().to_python(value))


class WebURLField(forms.URLField):
    default_validators = [validate_web_url]

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", required=False, **kwargs)


class SpeakerPageForm(forms.Form):
    name = CleanCharField(label="Name as shown", max_length=200)
    affiliation = CleanCharField(
        max_length=300, required=False, help_text="Your organisation, as the program should say."
    )
    pronouns = CleanCharField(max_length=40, required=False, help_text="Optional.")
    bio = CleanCharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=5000,
        help_text="Separate paragraphs with a blank line.",
    )
    photo = forms.FileField(
        required=False,
        help_text="JPEG, PNG or WebP, at most 5 MB and 40 megapixels. We remove its metadata "
        "(EXIF, location) and publish it in a few sizes.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    homepage = WebURLField(label="Homepage")
    mastodon = WebURLField(label="Mastodon", help_text="Your profile's address, https://…")
    github = WebURLField(label="GitHub")
    orcid = WebURLField(label="ORCID", help_text="https://orcid.org/…")

    def __init__(self, *args, speaker, talks, **kwargs):
        initial = {
            "name": speaker.name,
            "affiliation": speaker.affiliation.name if speaker.affiliation_id else "",
            **{field: getattr(speaker, field) for field in ("pronouns", "bio")},
            **{field: getattr(speaker, field) for field in Speaker.LINK_FIELDS},
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.talks = talks
        for talk in talks:
            self.fields[f"abstract:{talk.pk}"] = CleanCharField(
                label=f"Abstract of “{talk}”",
                widget=forms.Textarea(attrs={"rows": 8}),
                max_length=10000,
                required=False,
                initial=talk.abstract,
            )

    def abstract_fields(self):
        return [self[f"abstract:{talk.pk}"] for talk in self.talks]

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        photos.check_upload(upload)  # ValidationError with the reason, before anything is stored
        return upload

    def proposed(self):
        """{key: value} of everything the form holds, the photo stored if one was sent (call
        once the form is valid)."""
        values = {key: value for key, value in self.cleaned_data.items() if key != "photo"}
        upload = self.cleaned_data.get("photo")
        if upload:
            try:
                name, width, height = photos.store_photo(upload)
            except ValidationError as error:
                self.add_error("photo", error)
                return None
            values["photo"] = {"name": name, "width": width, "height": height}
        return values
