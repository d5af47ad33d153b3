"""Speaker photos: what is accepted, what is refused (and nothing stored), what is stored."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from speakers import photos
from speakers.models import Speaker
from tests.factories import SpeakerFactory, image_bytes, upload


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def jpeg_with_gps():
    image = Image.new("RGB", (1200, 900), "teal")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_a_jpeg_is_stored_in_three_sizes_without_its_metadata(media):
    data = jpeg_with_gps()
    assert b"SpyCam" in data
    _, width, height = photos.store_photo(upload(data))
    assert (width, height) == (640, 480)
    files = stored_files(media)
    assert [f.name.rsplit("-", 1)[1] for f in files] == ["160.jpg", "320.jpg", "640.jpg"]
    for file in files:
        content = file.read_bytes()
        assert b"SpyCam" not in content
        with Image.open(file) as image:
            assert image.format == "JPEG"
            assert not image.getexif()
            assert "exif" not in image.info


@pytest.mark.parametrize(
    ("fmt", "mode"), [("PNG", "RGBA"), ("WEBP", "RGB"), ("PNG", "P"), ("JPEG", "L")]
)
def test_png_and_webp_are_accepted_and_become_jpeg(media, fmt, mode):
    name, width, _ = photos.store_photo(upload(image_bytes(fmt, (300, 300), mode)))
    assert width == 300  # never enlarged
    assert name.endswith("-300.jpg")
    assert len(stored_files(media)) == 2  # 160 and 300


def huge_png(size):
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


HOSTILE = {
    "empty": (b"", "empty"),
    "svg with script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "carries more than a picture",
    ),
    "polyglot": (image_bytes("PNG", (50, 50)) + b"<html><script>alert(1)</script>", "markup"),
    "zip polyglot": (image_bytes("JPEG", (50, 50)) + b"PK\x03\x04rest-of-archive", "archive"),
    "gif": (image_bytes("GIF", (50, 50), "P"), "JPEG, PNG or WebP"),
    "corrupt": (b"\x89PNG\r\n\x1a\n" + b"garbage" * 100, "damaged"),
    "unknown bytes": (b"hello, this is not an image at all", "not a photo we can read"),
    "truncated": (image_bytes("JPEG", (800, 600), quality=95)[:1500], "damaged or incomplete"),
    "too many megapixels": (huge_png((8000, 6000)), "40 megapixels"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_uploads_are_refused_and_nothing_is_stored(media, case):
    data, message = HOSTILE[case]
    with pytest.raises(ValidationError) as refused:
        photos.store_photo(upload(data))
    assert message in refused.value.messages[0]
    assert stored_files(media) == []


def test_a_decompression_bomb_is_refused_before_it_is_expanded(media):
    data = huge_png((14000, 14000))  # 196 megapixels in a few kilobytes
    assert len(data) < 100_000
    with pytest.raises(ValidationError, match="40 megapixels"):
        photos.store_photo(upload(data))
    assert stored_files(media) == []


def test_more_than_5_mb_is_refused(media):
    with pytest.raises(ValidationError, match="5 MB"):
        photos.store_photo(upload(b"\xff\xd8\xff" + b"\0" * photos.MAX_BYTES))
    assert stored_files(media) == []


def test_the_committee_uploads_a_photo_in_the_admin(
    db, media, member_client, django_capture_on_commit_callbacks
):
    speaker = SpeakerFactory(name="Grace Hopper")
    url = reverse("admin:speakers_speaker_change", args=[speaker.pk])
    form = {
        "name": speaker.name,
        "slug": speaker.slug,
        "affiliation": speaker.affiliation_id,
        "bio": speaker.bio,
        "authorships-TOTAL_FORMS": 0,
        "authorships-INITIAL_FORMS": 0,
        "proposals-TOTAL_FORMS": 0,
        "proposals-INITIAL_FORMS": 0,
    }
    refused = member_client.post(url, {**form, "upload_photo": upload(b"")})
    assert refused.status_code == 200
    assert "file is empty" in refused.text
    assert stored_files(media) == []

    saved = member_client.post(url, {**form, "upload_photo": upload(jpeg_with_gps())})
    assert saved.status_code == 302
    speaker = Speaker.objects.get(pk=speaker.pk)
    assert speaker.photo_width == 640
    assert len(stored_files(media)) == 3

    page = member_client.get(speaker.get_absolute_url())
    assert f'alt="{speaker.name}"' in page.text
    assert "160w" in page.text
    assert "640w" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(url, {**form, "remove_photo": "on"})
    assert Speaker.objects.get(pk=speaker.pk).photo == ""
    assert stored_files(media) == []  # the old files go once the removal is committed
