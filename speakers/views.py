"""Public pages of people and organisations."""

from django.db.models import Q
from django.views.generic import DetailView

from program.search import public_affiliations
from program.views import can_preview
from speakers.models import Affiliation, Authorship, Speaker


class SpeakerDetailView(DetailView):
    """A person, their bio, and every talk they gave, across conferences."""

    def get_queryset(self):
        preview = can_preview(self.request)
        speakers = Speaker.objects.all() if preview else Speaker.objects.with_published_talks()
        return speakers.with_talks(include_drafts=preview)


class AffiliationDetailView(DetailView):
    """An organisation, the people who spoke for it or work there, and their talks."""

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
