from django import template
from django.core.files.storage import default_storage

from speakers import photos

register = template.Library()


@register.filter
def photo_src(photo):
    """The URL of the largest size of a photo held as {name, width, height} ("" for none)."""
    return default_storage.url(photo["name"]) if photo and photo.get("name") else ""


@register.filter
def photo_srcset(photo):
    if not photo or not photo.get("name"):
        return ""
    return ", ".join(
        f"{default_storage.url(name)} {width}w"
        for width, name in photos.photo_names(photo["name"], photo["width"])
    )
