"""The care team's recall list: follow-ups due or overdue that no visit was booked for, and the
calls made about them (docs/domain.md "Care team")."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from patients.followups.forms import RecallContactForm
from patients.followups.selectors import RECALL_CONTACTS_SHOWN, RECALL_LEAD_DAYS, recall_get_for, recall_list_for
from patients.followups.services import recall_contact_record
from patients.visits.selectors import physician_time_zone
from patients.zones import shown_in, zone_label
from portal.access import CARE_TEAM_ROLES, role_required
from portal.audit import access_record_list
from portal.forms import flash_refusal

PAGE_SIZE = 25


@require_safe
@role_required(*CARE_TEAM_ROLES)
def recall_list(request: HttpRequest) -> HttpResponse:
    access_record_list(request, action="recalls.list")
    today = timezone.localdate()
    page = Paginator(recall_list_for(request.user, today=today), PAGE_SIZE).get_page(request.GET.get("page"))
    for followup in page:
        followup.days_overdue = (today - followup.due_on).days
        followup.recent_contacts = followup.contacts[:RECALL_CONTACTS_SHOWN]
        followup.contact_form = RecallContactForm(auto_id=f"recall-{followup.pk}-%s")
    with shown_in(physician_time_zone(request.user)) as zone:
        return render(
            request,
            "patients/recall_list.html",
            {
                "page": page,
                "lead_days": RECALL_LEAD_DAYS,
                "zone_label": zone_label(zone.key),
            },
        )


@require_POST
@role_required(*CARE_TEAM_ROLES)
def recall_contact(request: HttpRequest, pk: int) -> HttpResponse:
    followup = recall_get_for(request.user, pk)
    form = RecallContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("patients:recall_list")
    try:
        recall_contact_record(followup=followup, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, f"Noted for {followup.patient.full_name}.")
    return redirect("patients:recall_list")
