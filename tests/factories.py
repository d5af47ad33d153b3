"""factory_boy factories: small, valid objects for tests (never seed data)."""

import io
from datetime import UTC, date, datetime, timedelta

import factory
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from program.models import Conference, Day, Session, Talk
from speakers.models import Affiliation, Authorship, Speaker


class ConferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conference

    name = factory.Sequence(lambda n: f"TestConf '{n:02d}")
    slug = factory.Sequence(lambda n: f"testconf{n}")
    time_zone = "America/Los_Angeles"
    is_published = True


class DayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Day

    conference = factory.SubFactory(ConferenceFactory)
    # July to September 2030: all in daylight saving time, whatever the number of days a test
    # run has made before (the 126th day was November 3, PST, and times printed "PST").
    date = factory.Sequence(lambda n: date(2030, 7, 1) + timedelta(days=n % 90))


class SessionFactory(factory.django.DjangoModelFactory):
    """A 90-minute session at 9:00 in its conference's zone on its day."""

    class Meta:
        model = Session

    day = factory.SubFactory(DayFactory)
    conference = factory.SelfAttribute("day.conference")
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Test session {n}")
    description = "First paragraph.\n\nSecond paragraph."
    start = factory.LazyAttribute(
        lambda o: datetime(
            o.day.date.year, o.day.date.month, o.day.date.day, 9, 0, tzinfo=o.conference.tz
        ).astimezone(UTC)
    )
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=90))
    is_published = True


class TalkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Talk

    session = factory.SubFactory(SessionFactory)
    title = factory.Sequence(lambda n: f"Test talk {n}")
    slug = factory.Sequence(lambda n: f"test-talk-{n}")
    abstract = "An abstract."
    order = factory.Sequence(lambda n: n)
    is_published = True


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    name = factory.Sequence(lambda n: f"Test Organisation {n}")
    slug = factory.Sequence(lambda n: f"test-organisation-{n}")


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Test Speaker {n}")
    slug = factory.Sequence(lambda n: f"test-speaker-{n}")
    bio = "A bio."
    affiliation = factory.SubFactory(AffiliationFactory)


class AuthorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authorship

    talk = factory.SubFactory(TalkFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    affiliation = factory.SelfAttribute("speaker.affiliation")
    position = factory.Sequence(lambda n: n)


COMMITTEE = "Program committee"


def make_committee_member(django_user_model, username="curator"):
    """A staff user in the "Program committee" group, not a superuser."""
    user = django_user_model.objects.create_user(username, password="not-used", is_staff=True)
    user.groups.add(Group.objects.get(name=COMMITTEE))
    return user


def image_bytes(fmt="JPEG", size=(800, 600), mode="RGB", **save_options):
    """The bytes of a small generated picture in `fmt` (for photo uploads)."""
    buffer = io.BytesIO()
    Image.new(mode, size, "teal" if mode in ("RGB", "RGBA") else 1).save(
        buffer, fmt, **save_options
    )
    return buffer.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    """`data` as a file uploaded through a form."""
    return SimpleUploadedFile(name, data, content_type=content_type)
