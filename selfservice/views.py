"""A speaker's own page, opened with the personal link the committee e-mailed them.

The link is `/speaker-page/open/#<secret>`: the secret sits in the fragment, which browsers
never send to a server nor put in a `Referer`, so it appears in no access log. A small script
(static/js/speaker-link.js) posts it to the same address; without JavaScript the speaker pastes
the code from the e-mail. A valid secret puts the link's id in a new session and redirects to
`/speaker-page/`, whose address holds no secret.

Every answer here is private: no caching, not indexed, and a stricter CSP than the site's
(nothing at all but the site's own files). `Referrer-Policy: same-origin`: no other site ever
learns the page's address; within the site a Referer carries no secret (a fragment is never
sent), and `no-referrer` would make browsers send `Origin: null` with the forms, which Django's
CSRF check rightly refuses. Requests are counted
against an hourly allowance per client address. A link that is unknown, malformed, expired,
revoked or replaced gets a page saying so, and the reason only when the link was real.
"""

from functools import wraps

from csp.constants import NONE, SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from program.picks import within_hourly_limit
from selfservice import proposals
from selfservice.forms import SpeakerPageForm
from selfservice.models import LinkState, Proposal, SpeakerLink
from speakers import photos

SESSION_KEY = "speaker_link"
MAX_TEXT_BYTES = 256 * 1024  # the form's text fields, beside the photo
PRIVATE_CSP = {
    "default-src": [NONE],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF],
    "form-action": [SELF],
    "base-uri": [NONE],
    "frame-ancestors": [NONE],
    "object-src": [NONE],
}


def private_page(view):
    """Headers of every page here, and the hourly allowance of requests per client."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not within_hourly_limit(
            "speaker-page:", request, settings.SPEAKER_PAGE_REQUESTS_PER_HOUR
        ):
            response = render(request, "selfservice/too_many.html", status=429)
            response["Retry-After"] = "3600"
        else:
            response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(csp_replace(PRIVATE_CSP)(wrapped))


def link_problem(request, state=None, status=404):
    return render(request, "selfservice/link_problem.html", {"state": state}, status=status)


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def open_link(request):
    """GET: the page the e-mail's link opens (its script posts the secret). POST: check the
    secret and open the speaker's page in a new session."""
    if request.method != "POST":
        return render(request, "selfservice/open.html")
    link = SpeakerLink.objects.by_secret(request.POST.get("token", "").strip()).first()
    if link is None:
        return link_problem(request)
    state = link.state()
    if state != LinkState.VALID:
        return link_problem(request, state, status=410)
    now = timezone.now()
    SpeakerLink.objects.filter(pk=link.pk, first_opened_at=None).update(first_opened_at=now)
    SpeakerLink.objects.filter(pk=link.pk).update(last_opened_at=now)
    request.session.cycle_key()
    request.session[SESSION_KEY] = link.pk
    return HttpResponseRedirect(reverse("selfservice:page"), status=303)


def session_link(request):
    """The link this session was opened with, and its state now (None if it has none)."""
    link_id = request.session.get(SESSION_KEY)
    link = SpeakerLink.objects.select_related("speaker__affiliation").filter(pk=link_id).first()
    return link, (link.state() if link else None)


def too_large(request):
    """Whether the request's body is larger than a photo and the form's text may be."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > photos.MAX_BYTES + MAX_TEXT_BYTES


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def speaker_page(request):
    link, state = session_link(request)
    if link is None:
        return link_problem(request, status=403)
    if state != LinkState.VALID:
        return link_problem(request, state, status=410)
    speaker = link.speaker
    talks = proposals.authored_talks(speaker)
    refused = ""
    if request.method == "POST" and too_large(request):
        # Refused before Django reads the body (a large upload would be spooled to disk).
        form = SpeakerPageForm(speaker=speaker, talks=talks)
        refused = "What you sent is larger than 5 MB: please send a smaller photo."
    elif request.method == "POST":
        form = SpeakerPageForm(request.POST, request.FILES, speaker=speaker, talks=talks)
        if form.is_valid():
            proposed = form.proposed()
            if proposed is not None:
                submitted = proposals.submit(speaker, link, proposed, talks)
                return HttpResponseRedirect(
                    reverse("selfservice:page") + ("?sent=1" if submitted else "?sent=0"),
                    status=303,
                )
    else:
        form = SpeakerPageForm(speaker=speaker, talks=talks)
    history = list(Proposal.objects.filter(speaker=speaker)[:10])
    pending = next((p for p in history if p.is_pending), None)
    return render(
        request,
        "selfservice/page.html",
        {
            "speaker": speaker,
            "link": link,
            "talks": talks,
            "form": form,
            "pending": pending,
            "pending_rows": proposals.review_rows(pending) if pending else [],
            "history": history,
            "sent": request.GET.get("sent"),
            "refused": refused,
        },
        status=400 if request.method == "POST" else 200,
    )


@private_page
@require_http_methods(["POST"])
def leave(request):
    request.session.flush()
    return render(request, "selfservice/left.html")
