"""People and organisations, shared by every conference, and who wrote which talk.

A person has one Speaker record whatever the number of talks, so a speaker's page can list
everything they ever presented. The affiliation printed beside a name belongs to the authorship
(it is what the program said for that talk), not only to the person.
"""

import re
import unicodedata
from collections import defaultdict
from itertools import combinations

from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse

from speakers import photos
from speakers.bylines import Author, Organisation, printed_name
from speakers.text import NormalisedTextMixin, validate_web_url


class TimestampedModel(models.Model):
    """Remembers when a row was made and last changed (feeds use the latter as DTSTAMP).

    The base of every dated model of both apps; it lives here because `speakers` is the lower
    layer, which `program` builds on (docs/contributors/layout.md)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def authorships_prefetch(prefix=""):
    """Prefetch a talk's authorships in byline order, with their speakers and affiliations."""
    return Prefetch(
        f"{prefix}authorships",
        queryset=Authorship.objects.select_related("speaker__affiliation", "affiliation"),
    )


class AffiliationQuerySet(models.QuerySet):
    def public(self, talks):
        """Organisations printed on one of `talks` or held by a speaker of one (pass the talks
        the visitor may see: `Talk.objects.published()`)."""
        return self.filter(
            Q(pk__in=Authorship.objects.filter(talk__in=talks).values("affiliation"))
            | Q(pk__in=Speaker.objects.presenting(talks).values("affiliation"))
        )


class Affiliation(NormalisedTextMixin, TimestampedModel):
    """An organisation as the program prints it ("Intuit" and "Intuit Inc." stay distinct
    until the committee merges them)."""

    name = models.CharField(max_length=300, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    objects = AffiliationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("speakers:affiliation_detail", kwargs={"slug": self.slug})


# Words that do not tell two organisations apart: legal forms and a leading "The".
ORGANISATION_NOISE = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
     "gmbh", "ag", "sa", "plc", "ab", "bv", "the"}
)  # fmt: skip


def affiliation_key(name):
    """What stays of an organisation's name once case, accents, punctuation and legal forms are
    dropped: "Intuit", "Intuit Inc." and "INTUIT, inc" all give "intuit". The one test of
    "these look like one organisation", for the admin's duplicate filter and readiness report."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = re.findall(r"[a-z0-9]+", text.replace("&", " and "))
    kept = [word for word in words if word not in ORGANISATION_NOISE]
    return " ".join(kept or words)


def duplicate_affiliation_groups(affiliations):
    """Groups of two or more affiliations (from `affiliations`) that look like one organisation,
    each sorted by name, the groups sorted by their first name."""
    groups = defaultdict(list)
    for affiliation in affiliations:
        groups[affiliation_key(affiliation.name)].append(affiliation)
    return sorted(
        (sorted(group, key=lambda a: a.name) for group in groups.values() if len(group) > 1),
        key=lambda group: group[0].name.casefold(),
    )


def name_words(name):
    """A person's name as lower-case ASCII words, without accents or punctuation: "Grace M.
    Hopper" gives ["grace", "m", "hopper"], "GRÂCE HOPPER" ["grace", "hopper"]."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return re.findall(r"[a-z0-9]+", text)


def person_key(name):
    """What two spellings of one person's name share: their last word and first initial
    ("Grace Hopper", "Grace M. Hopper", "G. Hopper" and "grace hopper" all give "hopper g")."""
    words = name_words(name)
    return f"{words[-1]} {words[0][0]}" if words else ""


def look_alike_people(a, b):
    """Whether the names `a` and `b` look like one person's: the same last name, and first
    names that are equal or of which one is the other's initial; middle names, accents, case
    and punctuation do not count ("Grace Hopper" / "Grace M. Hopper", "G. Hopper" / "Grace
    Hopper"; never "Grace Hopper" / "George Hopper"). The one test of "these look like one
    person", for the admin's duplicate filter and the readiness report."""
    first_a, first_b = name_words(a), name_words(b)
    if not first_a or not first_b or first_a[-1] != first_b[-1]:
        return False
    x, y = first_a[0], first_b[0]
    return x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))


def duplicate_speaker_groups(speakers):
    """Groups of two or more of `speakers` whose names look like one person's (each sorted by
    name, the groups by their first name), from one pass over them."""
    buckets = defaultdict(list)
    for speaker in speakers:
        buckets[person_key(speaker.name)].append(speaker)
    groups = []
    for bucket in buckets.values():
        # Join look-alikes transitively (G. Hopper links Grace and Grace M.): a bucket holds a
        # handful of people, so pairs are cheap.
        group_of = {speaker.pk: {speaker.pk} for speaker in bucket}
        for a, b in combinations(bucket, 2):
            if look_alike_people(a.name, b.name) and group_of[a.pk] is not group_of[b.pk]:
                merged = group_of[a.pk] | group_of[b.pk]
                for pk in merged:
                    group_of[pk] = merged
        by_pk = {speaker.pk: speaker for speaker in bucket}
        for members in {id(g): g for g in group_of.values()}.values():
            if len(members) > 1:
                groups.append(sorted((by_pk[pk] for pk in members), key=lambda s: (s.name, s.pk)))
    return sorted(groups, key=lambda group: group[0].name.casefold())


class SpeakerQuerySet(models.QuerySet):
    """Speakers never decide what is public themselves: callers pass the talks the visitor may
    see (`Talk.objects.published()`, or every talk for a staff preview)."""

    def presenting(self, talks):
        """People who are authors of at least one of `talks` (the public speaker pages)."""
        return self.filter(pk__in=Authorship.objects.filter(talk__in=talks).values("speaker"))

    def with_talks(self, talks):
        """Speakers with their affiliation and those of their `talks` (a Talk queryset), with
        co-authors, across conferences, in a fixed number of queries."""
        return self.select_related("affiliation").prefetch_related(
            Prefetch(
                "authorships",
                queryset=Authorship.objects.filter(talk__in=talks).select_related(
                    "talk__session__conference", "talk__session__day"
                ),
            ),
            authorships_prefetch("authorships__talk__"),
        )


class Speaker(NormalisedTextMixin, TimestampedModel):
    """One person, whatever the number of talks they give."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True, help_text="Separate paragraphs with a blank line.")
    affiliation = models.ForeignKey(
        Affiliation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="speakers",
        help_text="Current affiliation.",
    )
    pronouns = models.CharField(max_length=40, blank=True, help_text="Optional, as they give them.")
    homepage = models.URLField(blank=True, validators=[validate_web_url])
    mastodon = models.URLField(
        blank=True, validators=[validate_web_url], help_text="Their profile's web address."
    )
    github = models.URLField("GitHub", blank=True, validators=[validate_web_url])
    orcid = models.URLField(
        "ORCID", blank=True, validators=[validate_web_url], help_text="https://orcid.org/…"
    )
    # Photos are stored in sizes by speakers/photos.py: `photo` names the largest file.
    photo = models.CharField(max_length=200, blank=True, editable=False)
    photo_width = models.PositiveIntegerField(default=0, editable=False)
    photo_height = models.PositiveIntegerField(default=0, editable=False)
    email = models.EmailField(
        blank=True,
        help_text="Private: where the committee sends their speaker-page link. Never shown.",
    )

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("speakers:speaker_detail", kwargs={"slug": self.slug})

    def get_calendar_url(self):
        return reverse("feeds:speaker", kwargs={"slug": self.slug})

    LINK_FIELDS = ("homepage", "mastodon", "github", "orcid")

    @property
    def web_links(self):
        """(label, URL) of the links they gave, in a fixed order."""
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in self.LINK_FIELDS
            if getattr(self, name)
        ]

    @property
    def photo_sizes(self):
        """[(width, URL)] of their photo's sizes, smallest first (none without a photo)."""
        return [
            (width, photos.default_storage.url(name))
            for width, name in photos.photo_names(self.photo, self.photo_width)
        ]

    @property
    def photo_srcset(self):
        return ", ".join(f"{url} {width}w" for width, url in self.photo_sizes)

    @property
    def photo_url(self):
        sizes = self.photo_sizes
        return sizes[-1][1] if sizes else ""

    def set_photo(self, name, width, height):
        """Point to newly stored photo files (speakers/photos.store_photo), or to none."""
        self.photo, self.photo_width, self.photo_height = name, width, height


class Alias(NormalisedTextMixin, models.Model):
    """A name and URL slug a record had before the committee merged it into another ("Intuit
    Inc." into "Intuit"): imports map the old name to the kept record, and the old public URL
    redirects to it, so a merge is never undone by the next import nor breaks shared links."""

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120)

    target_field = ""  # the foreign key to the record that was kept

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def record_merge(cls, target, sources):
        """Remember `sources`, about to be merged into `target`: their names and slugs, and the
        aliases they had themselves, now lead to `target`."""
        cls.objects.filter(**{f"{cls.target_field}__in": sources}).update(
            **{cls.target_field: target}
        )
        cls.objects.bulk_create(
            (cls(name=s.name, slug=s.slug, **{cls.target_field: target}) for s in sources),
            ignore_conflicts=True,  # merged away before under the same name
        )

    @classmethod
    def successor(cls, slug):
        """The record that the one once at `slug` was merged into, or None."""
        alias = cls.objects.select_related(cls.target_field).filter(slug=slug).first()
        return getattr(alias, cls.target_field) if alias else None


class AffiliationAlias(Alias):
    affiliation = models.ForeignKey(Affiliation, on_delete=models.CASCADE, related_name="aliases")
    target_field = "affiliation"

    class Meta(Alias.Meta):
        verbose_name_plural = "affiliation aliases"
        constraints = [
            models.UniqueConstraint(fields=["name"], name="unique_affiliation_alias_name"),
            models.UniqueConstraint(fields=["slug"], name="unique_affiliation_alias_slug"),
        ]


class SpeakerAlias(Alias):
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="aliases")
    target_field = "speaker"

    class Meta(Alias.Meta):
        verbose_name_plural = "speaker aliases"
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="unique_speaker_alias_slug"),
        ]


class AuthorshipQuerySet(models.QuerySet):
    def bylines(self, talks, *, dated=False):
        """{talk id: [bylines.Author, …]} for `talks` (ids or a queryset), in byline order, in
        one query of plain values. With `dated`, each Author carries when its speaker or
        organisation last changed (the feeds date their events by it)."""
        fields = [
            "talk_id",
            "credited_name",
            "speaker_id",
            "speaker__name",
            "speaker__slug",
            "affiliation_id",
            "affiliation__name",
            "affiliation__slug",
        ]
        if dated:
            fields += ["speaker__updated_at", "affiliation__updated_at"]
        authors = defaultdict(list)
        # Ordered within each talk only (the rows are grouped by talk here): ordering by talk
        # would join talks and sessions for their own ordering.
        for talk_id, credited, speaker_id, name, slug, org_id, org_name, org_slug, *changed in (
            self.filter(talk__in=talks).order_by("position", "pk").values_list(*fields)
        ):
            authors[talk_id].append(
                Author(
                    printed_name=printed_name(credited, name),
                    speaker_id=speaker_id,
                    speaker_slug=slug,
                    affiliation_id=org_id,
                    affiliation=Organisation(org_name, org_slug) if org_id else None,
                    changed_at=max(filter(None, changed)) if changed else None,
                )
            )
        return authors


class Authorship(NormalisedTextMixin, models.Model):
    """A speaker's place in a talk's byline, with the affiliation printed for that talk."""

    talk = models.ForeignKey("program.Talk", on_delete=models.CASCADE, related_name="authorships")
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="authorships")
    affiliation = models.ForeignKey(
        Affiliation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authorships",
        help_text="As printed for this talk.",
    )
    position = models.PositiveSmallIntegerField(default=0)
    credited_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The name printed in this talk's byline, when it differs from the speaker's "
        "(“Mike Arov” for Mikhail Arov).",
    )

    objects = AuthorshipQuerySet.as_manager()

    class Meta:
        ordering = ["talk", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["talk", "speaker"], name="unique_speaker_per_talk"),
            models.UniqueConstraint(fields=["talk", "position"], name="unique_position_per_talk"),
        ]

    def __str__(self):
        return f"{self.printed_name} ({self.talk})"

    @property
    def printed_name(self):
        return printed_name(self.credited_name, self.speaker.name)

    @property
    def author(self):
        """This name of the byline as a `bylines.Author` (load its speaker and affiliation)."""
        affiliation = self.affiliation
        return Author(
            printed_name=self.printed_name,
            speaker_id=self.speaker_id,
            speaker_slug=self.speaker.slug,
            affiliation_id=self.affiliation_id,
            affiliation=Organisation(affiliation.name, affiliation.slug) if affiliation else None,
        )
