"""Merging duplicate speakers or affiliations: what moves, planned first so the admin can show
it on a confirmation page, then applied in one transaction.

The merged-away records leave an alias behind (their name and slug), so the next import of a
program that still prints the old name finds the kept record, and old public URLs redirect.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import ngettext

from speakers.models import Affiliation, AffiliationAlias, Authorship, Speaker, SpeakerAlias


@dataclass
class SpeakerMerge:
    """What merging `sources` into `target` does: every authorship of a source moves to the
    target, keeping the name the byline printed; where two of the merged people wrote the same
    talk, the earlier place in the byline is kept and the other dropped."""

    target: Speaker
    sources: list
    moves: list = field(default_factory=list)  # (authorship, credited_name)
    collapses: list = field(default_factory=list)  # (kept, [dropped], credited_name)
    bio: str = ""
    affiliation: Affiliation | None = None
    dropped_bios: list = field(default_factory=list)  # (speaker, bio)

    @classmethod
    def plan(cls, target, sources):
        merge = cls(target=target, sources=sources)
        people = [target, *sources]
        by_talk = defaultdict(list)
        authorships = Authorship.objects.filter(speaker__in=people).select_related(
            "talk__session__conference", "speaker", "affiliation"
        )
        for authorship in authorships.order_by("talk__title", "talk_id", "position", "pk"):
            by_talk[authorship.talk_id].append(authorship)
        for group in by_talk.values():
            kept, *dropped = group
            credited = "" if kept.printed_name == target.name else kept.printed_name
            if dropped:
                merge.collapses.append((kept, dropped, credited))
            elif kept.speaker_id != target.pk:
                merge.moves.append((kept, credited))
        merge.bio = next((p.bio for p in people if p.bio.strip()), "")
        merge.affiliation = next((p.affiliation for p in people if p.affiliation_id), None)
        merge.dropped_bios = [
            (person, person.bio) for person in sources if person.bio.strip() not in ("", merge.bio)
        ]
        return merge

    @transaction.atomic
    def apply(self):
        for _, dropped, _ in self.collapses:
            Authorship.objects.filter(pk__in=[a.pk for a in dropped]).delete()
        for authorship, credited in [*self.moves, *((k, c) for k, _, c in self.collapses)]:
            authorship.speaker = self.target
            authorship.credited_name = credited
            authorship.save(update_fields=["speaker", "credited_name"])
        self.target.bio = self.bio
        self.target.affiliation = self.affiliation
        self.target.save(update_fields=["bio", "affiliation", "updated_at"])
        SpeakerAlias.record_merge(self.target, self.sources)
        # PROTECT on Authorship.speaker: this fails, and rolls everything back, if any
        # authorship were left behind.
        Speaker.objects.filter(pk__in=[s.pk for s in self.sources]).delete()

    @property
    def talks_changed(self):
        return [a.talk for a, _ in self.moves] + [kept.talk for kept, _, _ in self.collapses]

    def summary(self):
        names = ", ".join(f"“{s.name}” (id {s.pk})" for s in self.sources)
        moved = ngettext("%d authorship moved", "%d authorships moved", len(self.moves))
        collapsed = ngettext(
            "%d talk credited them twice and keeps one authorship.",
            "%d talks credited them twice and keep one authorship.",
            len(self.collapses),
        )
        text = (
            f"Merged {names} into this speaker: {moved % len(self.moves)}, "
            f"{collapsed % len(self.collapses)}"
        )
        for speaker, bio in self.dropped_bios:
            text += f" Bio of “{speaker.name}” not kept: {bio}"
        return text


@dataclass
class AffiliationMerge:
    """What merging `sources` into `target` does: their speakers and authorships move."""

    target: Affiliation
    sources: list
    speakers: list = field(default_factory=list)
    authorships: list = field(default_factory=list)

    @classmethod
    def plan(cls, target, sources):
        return cls(
            target=target,
            sources=sources,
            speakers=list(Speaker.objects.filter(affiliation__in=sources).order_by("name")),
            authorships=list(
                Authorship.objects.filter(affiliation__in=sources)
                .select_related("talk__session__conference", "speaker", "affiliation")
                .order_by("talk__title", "position")
            ),
        )

    @transaction.atomic
    def apply(self):
        Speaker.objects.filter(affiliation__in=self.sources).update(affiliation=self.target)
        Authorship.objects.filter(affiliation__in=self.sources).update(affiliation=self.target)
        AffiliationAlias.record_merge(self.target, self.sources)
        # PROTECT on both foreign keys: nothing can be left pointing at a deleted affiliation.
        Affiliation.objects.filter(pk__in=[a.pk for a in self.sources]).delete()

    @property
    def talks_changed(self):
        return list({a.talk_id: a.talk for a in self.authorships}.values())

    def summary(self):
        names = ", ".join(f"“{a.name}” (id {a.pk})" for a in self.sources)
        speakers = ngettext("%d speaker", "%d speakers", len(self.speakers))
        authorships = ngettext("%d authorship", "%d authorships", len(self.authorships))
        return (
            f"Merged {names} into this affiliation: {speakers % len(self.speakers)} and "
            f"{authorships % len(self.authorships)} moved."
        )
