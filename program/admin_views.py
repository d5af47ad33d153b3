"""Extra pages of the conference admin: the readiness report and the program import.

Both are reached from the conference's admin pages and wrapped by `admin_site.admin_view`
(ConferenceAdmin.get_urls), so they need a staff login; each checks its own permissions.
"""

from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from program.forms import ProgramImportForm
from program.importer import ImportReport, apply_program
from program.models import Conference, Talk
from program.parser import ProgramFormatError
from program.readiness import ConferenceProgram, duplicate_speakers, readiness_report
from speakers.models import Affiliation, Speaker

# An import creates and updates all of these, so it needs every one of these permissions.
IMPORT_PERMISSIONS = [
    f"{app}.{action}_{model}"
    for app, models in [
        ("program", ["conference", "day", "session", "talk"]),
        ("speakers", ["affiliation", "speaker", "authorship"]),
    ]
    for model in models
    for action in ("add", "change")
]


def admin_context(model_admin, request, title, **extra):
    return {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": model_admin.model._meta,
        **extra,
    }


def readiness(model_admin, request, object_id):
    """What the conference still lacks before publishing; a button publishes it all."""
    conference = model_admin.get_object(request, unquote(object_id))
    if conference is None:
        raise Http404("No such conference.")
    if not model_admin.has_view_permission(request, conference):
        raise PermissionDenied
    can_publish = model_admin.has_change_permission(request, conference)
    if request.method == "POST":
        if not can_publish:
            raise PermissionDenied
        counts = model_admin.publish_program(request, [conference])
        model_admin.message_user(
            request,
            f"{conference} is published. Drafts made public: {counts}.",
            messages.SUCCESS,
        )
        return redirect("admin:program_conference_readiness", conference.pk)
    report = readiness_report(conference)
    context = admin_context(
        model_admin,
        request,
        f"Readiness of {conference}",
        original=conference,
        report=report,
        can_publish=can_publish,
        has_drafts=(not conference.is_published or report.draft_sessions or report.draft_talks),
    )
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/program/conference/readiness.html", context)


def import_program(model_admin, request):
    """Upload → dry run (nothing written) → apply, through the importer's own two calls."""
    if not request.user.has_perms(IMPORT_PERMISSIONS):
        raise PermissionDenied
    report, confirm_form, apply_errors = None, None, []
    applying = request.method == "POST" and "apply" in request.POST
    if request.method == "POST":
        form = ProgramImportForm(request.POST, request.FILES, confirm=applying)
        if form.is_valid():
            try:
                report = apply_program(
                    form.parsed,
                    form.slug,
                    publish=form.cleaned_data["publish"],
                    dry_run=not applying,
                )
            except ProgramFormatError as error:
                form.add_format_error(error)
            else:
                if applying:
                    conference = Conference.objects.get(slug=form.slug)
                    log_import(model_admin, request, conference, report, form)
                    model_admin.message_user(
                        request,
                        f"Imported the program into {conference}. Here is what it still lacks.",
                        messages.SUCCESS,
                    )
                    look_alikes = duplicate_speakers(ConferenceProgram(conference))
                    if look_alikes:
                        names = "; ".join(" / ".join(map(str, group)) for group in look_alikes)
                        model_admin.message_user(
                            request,
                            f"Some speakers may be one person ({names}): see “Speakers who may "
                            "be one person” below before publishing.",
                            messages.WARNING,
                        )
                    return redirect("admin:program_conference_readiness", conference.pk)
                confirm_form = ProgramImportForm(
                    initial={**form.cleaned_data, "program": None}, confirm=True
                )
        if applying and not form.is_valid():
            # The apply step has no visible fields: start again from the upload form.
            apply_errors = [error for errors in form.errors.values() for error in errors]
            form = ProgramImportForm(initial=form.data.dict())
    else:
        form = ProgramImportForm(initial={"conference": request.GET.get("conference")})
    context = admin_context(
        model_admin,
        request,
        "Import a program",
        form=form,
        report=report,
        confirm_form=confirm_form,
        apply_errors=apply_errors,
        rows=report_rows(report) if report else [],
        target=form.slug if report else None,
        target_exists=report and Conference.objects.filter(slug=form.slug).exists(),
    )
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/program/conference/import.html", context)


def report_rows(report):
    """(model, created, updated, unchanged, created names, updated names) per model."""
    return [
        (model, created, updated, unchanged, report.created[model], report.updated[model])
        for model, created, updated, unchanged in report.summary_rows()
    ]


def log_import(model_admin, request, conference, report: ImportReport, form):
    """Record the import in the conference's history, and in that of each session, talk,
    speaker and affiliation it created or updated."""
    counts = [
        f"{model}: {created} created, {updated} updated"
        for model, created, updated, _ in report.summary_rows()
        if created or updated
    ]
    filename = form.cleaned_data.get("filename") or "an uploaded file"
    message = f"Imported the program from {filename} ({'; '.join(counts) or 'nothing changed'})."
    if report.created["conference"]:
        model_admin.log_addition(request, conference, message)
    else:
        model_admin.log_change(request, conference, message)
    candidates = {
        "session": list(conference.sessions.all()),
        "talk": list(Talk.objects.filter(session__conference=conference)),
        "speaker": list(
            Speaker.objects.filter(name__in=report.created["speaker"] + report.updated["speaker"])
        ),
        "affiliation": list(
            Affiliation.objects.filter(
                name__in=report.created["affiliation"] + report.updated["affiliation"]
            )
        ),
    }
    for model, objects in candidates.items():
        for names, flag, verb in [
            (report.created[model], ADDITION, "Created"),
            (report.updated[model], CHANGE, "Updated"),
        ]:
            wanted = set(names)
            matched = [obj for obj in objects if str(obj) in wanted]
            if matched:
                LogEntry.objects.log_actions(
                    user_id=request.user.pk,
                    queryset=matched,
                    action_flag=flag,
                    change_message=f"{verb} by importing the program of {conference} "
                    f"from {filename}.",
                )
