"""Secure messages: the patient's conversations with the care team, the clinic's inbox, and
attachments served only to people who may see the thread."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from education.selectors import shareable_articles
from patients.messaging.forms import AssignForm, ClinicReplyForm, NewThreadForm, PatientReplyForm
from patients.messaging.presenters import conversation, unread_total, when_words
from patients.messaging.selectors import (
    article_titles,
    attachment_get_for,
    messages_for,
    thread_get_for,
    thread_list_for,
    threads_filtered,
    unread_thread_count_for,
)
from patients.messaging.services import (
    message_send,
    messaging_refusal,
    thread_assign,
    thread_assignee_choices,
    thread_mark_read,
    thread_start,
)
from patients.models import Thread
from patients.selectors import patient_for_user
from patients.visits.selectors import physician_time_zone
from patients.zones import shown_in
from portal.access import CARE_TEAM_ROLES, Role, role_required
from portal.audit import access_record, access_record_list
from portal.forms import add_service_errors, flash_refusal

PAGE_SIZE = 25
THREAD_FILTERS = {"mine": "Assigned to me", "unassigned": "Not assigned"}


def _add_last_message_words(page, zone_name: str) -> None:
    """Each listed thread's latest message time in plain words ("Today 9:14 AM")."""
    now = timezone.now()
    for thread in page:
        thread.last_message_words = when_words(thread.last_message_at, zone_name, now=now)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def patient_message_list(request: HttpRequest) -> HttpResponse:
    """The patient's conversations, and the form that starts a new one."""
    patient = patient_for_user(request.user)
    refusal = messaging_refusal(patient)
    form = NewThreadForm()
    if request.method == "POST" and not refusal:
        form = NewThreadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = thread_start(
                    patient=patient,
                    author=request.user,
                    subject=data["subject"],
                    body=data["body"],
                    attachment=data["attachment"],
                    urgent=data["urgent"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Message sent. Your care team will answer here.")
                return redirect("patients:thread", pk=thread.pk)
    page = Paginator(thread_list_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    zone_name = patient.time_zone_name if patient else settings.TIME_ZONE
    _add_last_message_words(page, zone_name)
    with shown_in(zone_name):
        return render(
            request, "patients/message_list.html", {"page": page, "form": form, "refusal": refusal, "is_clinic": False}
        )


@require_safe
@role_required(*CARE_TEAM_ROLES)
def clinic_message_list(request: HttpRequest) -> HttpResponse:
    """Conversations of the care team member's patients, most recent first; "Assigned to me" and
    "Not assigned" narrow it for triage."""
    access_record_list(request, action="messages.list")
    show = request.GET.get("show", "")
    show = show if show in THREAD_FILTERS else ""
    threads = threads_filtered(thread_list_for(request.user), user=request.user, show=show)
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("page"))
    zone_name = physician_time_zone(request.user)
    _add_last_message_words(page, zone_name)
    with shown_in(zone_name):
        return render(
            request,
            "patients/message_list.html",
            {
                "page": page,
                "unread_threads": unread_thread_count_for(request.user),
                "is_clinic": True,
                "show": show,
                "filters": THREAD_FILTERS.items(),
                "querystring": f"show={show}" if show else "",
            },
        )


def _thread_page(
    request: HttpRequest, thread: Thread, form, *, is_clinic: bool, zone_name: str, assign_form=None
) -> HttpResponse:
    if is_clinic:
        access_record(request, patient_user=thread.patient.user, action="messages.thread.view")
    thread_messages = messages_for(thread)
    previously_read = thread_mark_read(
        thread=thread,
        user=request.user,
        at=timezone.now(),
        shown_up_to=max((m.created_at for m in thread_messages), default=None),
    )
    now = timezone.now()
    bubbles = conversation(
        thread_messages,
        reader=request.user,
        reader_is_patient=not is_clinic,
        patient_name=thread.patient.full_name,
        previously_read=previously_read,
        zone_name=zone_name,
        now=now,
        article_titles=article_titles({m.article_slug for m in thread_messages if m.article_slug}),
    )
    return render(
        request,
        "patients/thread_detail.html",
        {
            "thread": thread,
            "bubbles": bubbles,
            "unread": unread_total(bubbles),
            "zone_name": zone_name,
            "form": form,
            "is_clinic": is_clinic,
            "assign_form": assign_form,
        },
    )


def _send_reply(request: HttpRequest, thread: Thread, form) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        message_send(
            thread=thread,
            sender=request.user,
            body=data["body"],
            attachment=data["attachment"],
            article_slug=data.get("article_slug", ""),
            urgent=data.get("urgent", False),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, "Message sent.")
    return True


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def patient_thread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = thread_get_for(request.user, pk)
    form = PatientReplyForm(request.POST, request.FILES) if request.method == "POST" else PatientReplyForm()
    if request.method == "POST" and _send_reply(request, thread, form):
        return redirect("patients:thread", pk=thread.pk)
    return _thread_page(request, thread, form, is_clinic=False, zone_name=thread.patient.time_zone_name)


def _assign_form(thread: Thread, data=None) -> AssignForm:
    return AssignForm(data, choices=thread_assignee_choices(thread), initial={"assignee": thread.assigned_to_id})


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*CARE_TEAM_ROLES)
def clinic_thread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = thread_get_for(request.user, pk)
    articles = shareable_articles()
    if request.method == "POST":
        form = ClinicReplyForm(request.POST, request.FILES, articles=articles)
        if _send_reply(request, thread, form):
            return redirect("patients:clinic_thread", pk=thread.pk)
    else:
        form = ClinicReplyForm(articles=articles)
    return _thread_page(
        request,
        thread,
        form,
        is_clinic=True,
        zone_name=physician_time_zone(request.user),
        assign_form=_assign_form(thread),
    )


@require_POST
@role_required(*CARE_TEAM_ROLES)
def clinic_thread_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand the conversation to a physician or a coordinator (triage), or back to everyone."""
    thread = thread_get_for(request.user, pk)
    form = _assign_form(thread, request.POST)
    if not form.is_valid():
        messages.error(
            request, "Choose someone from the list: a physician licensed in the patient's state or a coordinator."
        )
        return redirect("patients:clinic_thread", pk=thread.pk)
    assignee = form.cleaned_data["assignee"]
    try:
        thread_assign(thread=thread, by=request.user, assignee=assignee)
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(
            request,
            f"Assigned to {assignee.display_name}."
            if assignee
            else "The whole care team sees this conversation again.",
        )
    return redirect("patients:clinic_thread", pk=thread.pk)


def _attachment_response(attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:  # its message is being written, or was lost
        raise Http404("This attachment is not available.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    # A patient's upload is never rendered as our page: no sniffing, no scripts, no caching.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@role_required(Role.PATIENT)
def patient_attachment(request: HttpRequest, pk: int) -> FileResponse:
    return _attachment_response(attachment_get_for(request.user, pk))


@require_safe
@role_required(*CARE_TEAM_ROLES)
def clinic_attachment(request: HttpRequest, pk: int) -> FileResponse:
    attachment = attachment_get_for(request.user, pk)
    access_record(request, patient_user=attachment.message.thread.patient.user, action="messages.attachment.view")
    return _attachment_response(attachment)
