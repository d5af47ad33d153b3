"""Speaker photos: what an upload must be, and the sizes it is stored in.

An upload is checked by its content, never its name: Pillow must recognise it as JPEG, PNG or
WebP, it may weigh at most `MAX_BYTES` and hold at most `MAX_PIXELS` (checked from the header,
before any pixel is decoded, so a decompression bomb is refused without being expanded). A file
that also carries markup or an archive (an SVG, HTML or a ZIP glued to an image: a polyglot) is
refused too, although re-encoding would drop it: the person uploading it should know.

What is stored is never the upload: the pixels are decoded, turned upright by their EXIF
orientation, and encoded afresh as JPEG without any metadata (no EXIF, no GPS, no comment), in
up to three widths (`WIDTHS`, never enlarged). Files go through Django's storage API
(`default_storage`), under a random name, so an operator may put them in an object store.
"""

import io
import secrets
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
WIDTHS = (160, 320, 640)
FOLDER = "speakers/photos"
# Byte strings no photo has a reason to carry: markup that a browser could run, or an archive.
HOSTILE_MARKERS = (b"<script", b"<svg", b"<html", b"<!doctype", b"<?php", b"<iframe", b"pk\x03\x04")


def refuse(message, code):
    raise ValidationError(message, code=code)


def check_upload(upload):
    """The decoded image of `upload` (a file object), or ValidationError with a message for the
    person uploading it. Nothing is stored."""
    size = getattr(upload, "size", None)
    if size == 0:
        refuse("The file is empty.", "empty")
    if size is not None and size > MAX_BYTES:
        refuse("The photo is larger than 5 MB; please send a smaller one.", "too_large")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if not data:
        refuse("The file is empty.", "empty")
    if len(data) > MAX_BYTES:
        refuse("The photo is larger than 5 MB; please send a smaller one.", "too_large")
    lowered = data.lower()
    if any(marker in lowered for marker in HOSTILE_MARKERS):
        refuse(
            "This file carries more than a picture (markup or an archive); please export the "
            "photo again as a plain JPEG, PNG or WebP.",
            "polyglot",
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            kind = FORMATS.get(image.format)
            if kind is None:
                refuse("Send a JPEG, PNG or WebP photo.", "wrong_type")
            if image.width * image.height > MAX_PIXELS:
                refuse("The photo has more than 40 megapixels; please send a smaller one.", "huge")
            image.load()
        except ValidationError:
            raise
        except UnidentifiedImageError:
            refuse("This is not a photo we can read: send a JPEG, PNG or WebP file.", "wrong_type")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            refuse("The photo has more than 40 megapixels; please send a smaller one.", "huge")
        except (OSError, SyntaxError, ValueError, EOFError):
            refuse("The photo is damaged or incomplete; please send it again.", "corrupt")
    return image


def encode(image):
    """`image` upright, in RGB on white, without any metadata."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    else:
        image = image.convert("RGB")
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def photo_names(name, width):
    """[(width, storage name)] of every size of the photo whose largest file is `name`."""
    if not name:
        return []
    stem = name.rsplit("-", 1)[0]
    return [(w, f"{stem}-{w}.jpg") for w in WIDTHS if w < width] + [(width, name)]


def store_photo(upload):
    """Check `upload`, then store its sizes. Returns (name of the largest file, width, height);
    raises ValidationError, storing nothing, when the upload is refused."""
    image = encode(check_upload(upload))
    stem = f"{FOLDER}/{secrets.token_hex(8)}"
    largest = min(image.width, WIDTHS[-1])
    widths = [w for w in WIDTHS if w < largest] + [largest]
    name, height = "", 0
    for width in widths:
        copy = image.copy()
        copy.thumbnail((width, width * 10), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        copy.save(buffer, "JPEG", quality=85, optimize=True)
        name = default_storage.save(f"{stem}-{width}.jpg", ContentFile(buffer.getvalue()))
        height = copy.height
    return name, largest, height


def delete_photo(name, width):
    for _, file_name in photo_names(name, width):
        default_storage.delete(file_name)
