"""Public pages of people and organisations."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import DetailView

from program.search import public_affiliations
from program.views import can_preview
from speakers.models import Affiliation, AffiliationAlias, Authorship, Speaker, SpeakerAlias


class FollowMergesMixin:
    """The URL of a record merged away in the admin redirects (301) to the record it was merged
    into, so links shared before the merge keep working."""

    alias_model = None

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            successor = self.alias_model.successor(kwargs["slug"])
            if successor is None:
                raise
            return redirect(successor, permanent=True)


class SpeakerDetailView(FollowMergesMixin, DetailView):
    """A person, their bio, and every talk they gave, across conferences."""

    alias_model = SpeakerAlias

    def get_queryset(self):
        preview = can_preview(self.request)
        speakers = Speaker.objects.all() if preview else Speaker.objects.with_published_talks()
        return speakers.with_talks(include_drafts=preview)


class AffiliationDetailView(FollowMergesMixin, DetailView):
    """An organisation, the people who spoke for it or work there, and their talks."""

    alias_model = AffiliationAlias

    def get_queryset(self):
        return Affiliation.objects.all() if can_preview(self.request) else public_affiliations()

    def get_context_data(self, **kwargs):
        preview = can_preview(self.request)
        speakers = Speaker.objects.all() if preview else Speaker.objects.with_published_talks()
        printed_here = Authorship.objects.filter(affiliation=self.object).values("speaker")
        return super().get_context_data(
            speakers=speakers.filter(Q(affiliation=self.object) | Q(pk__in=printed_here))
            .with_talks(include_drafts=preview)
            .order_by("name", "pk"),
            **kwargs,
        )
