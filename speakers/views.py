"""Public pages of people and organisations."""

from django.views.generic import DetailView

from program.views import can_preview
from speakers.models import Affiliation, Speaker


class SpeakerDetailView(DetailView):
    """A person, their bio, and every talk they gave, across conferences."""

    def get_queryset(self):
        preview = can_preview(self.request)
        speakers = Speaker.objects.all() if preview else Speaker.objects.with_published_talks()
        return speakers.with_talks(include_drafts=preview)


class AffiliationDetailView(DetailView):
    model = Affiliation
