"""The committee's side of speakers' own pages: the links sent, and the review of proposals.

A proposal's change page is its review screen: what would change, old against new, field by
field, with "approve these", "approve all" and "do not approve" (with a note the speaker sees).
Links are sent and revoked from the speaker list (program/admin/people.py)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from selfservice import proposals
from selfservice.models import Proposal, SpeakerLink


@admin.register(SpeakerLink)
class SpeakerLinkAdmin(admin.ModelAdmin):
    list_display = ["speaker", "sent_to", "sent_at", "sent_by", "state", "first_opened_at"]
    list_select_related = ["speaker", "sent_by"]
    list_filter = ["sent_at", "revoked_at"]
    search_fields = ["speaker__name", "sent_to"]
    actions = ["revoke"]
    fields = [*list_display[:4], "expires_at", "revoked_at", "first_opened_at", "last_opened_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # links are sent from the speaker list, with their e-mail

    @admin.display(description="state")
    def state(self, obj):
        return obj.state().label

    @admin.action(description="Revoke selected links", permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at=None).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} link{'s' if count != 1 else ''}.")


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["speaker", "submitted_at", "status", "fields_proposed", "decided_by"]
    list_select_related = ["speaker", "decided_by"]
    list_filter = ["status"]
    search_fields = ["speaker__name"]
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # every proposal and decision is kept

    @admin.display(description="fields")
    def fields_proposed(self, obj):
        labels = proposals.SPEAKER_FIELDS
        return ", ".join(labels.get(key, "abstract") for key in obj.changes)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proposal = get_object_or_404(
            Proposal.objects.select_related("speaker__affiliation", "decided_by"), pk=object_id
        )
        if not self.has_view_or_change_permission(request, proposal):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request, proposal):
                raise PermissionDenied
            return self.decide(request, proposal)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review {proposal}",
            "subtitle": None,
            "opts": self.opts,
            "original": proposal,
            "proposal": proposal,
            "rows": proposals.review_rows(proposal),
            "can_decide": proposal.is_pending and self.has_change_permission(request, proposal),
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/selfservice/review.html", context)

    def decide(self, request, proposal):
        decision = request.POST.get("decision")
        note = request.POST.get("note", "").strip()
        if decision == "all":
            approved = list(proposal.changes)
        elif decision == "some":
            approved = request.POST.getlist("approve")
        else:
            approved = []
        if decision == "some" and not approved:
            self.message_user(
                request, "Tick the fields to approve, or choose “Do not approve”.", messages.ERROR
            )
            return HttpResponseRedirect(request.path)
        try:
            decided = proposals.decide(proposal, request.user, approved, note)
        except (ValueError, ValidationError) as error:
            self.message_user(request, f"Nothing was changed: {error}", messages.ERROR)
            return HttpResponseRedirect(request.path)
        self.log_change(
            request,
            decided,
            f"{decided.get_status_display().capitalize()}"
            + (f": {', '.join(decided.approved_fields)}" if decided.approved_fields else "")
            + (f". Note: {note}" if note else ""),
        )
        self.message_user(
            request,
            f"{decided.speaker}'s proposal: {decided.get_status_display()}.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:selfservice_proposal_changelist"))
