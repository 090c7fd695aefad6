"""Good Faith Estimates and superbills (the patient's own).

The patient's billing page and the public prices page also say how payment is taken, so they live
with payments in patients.payments."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from patients.billing import services
from patients.billing.business_days import billing_today
from patients.billing.downloads import pdf_response
from patients.billing.forms import SuperbillForm
from patients.billing.selectors import estimate_get_for, superbill_get_for
from patients.selectors import patient_for_user
from patients.zones import shown_in
from portal.access import Role, role_required
from portal.forms import flash_refusal


def render_for_patient(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A patient's billing page with dates in the patient's own time zone, as their visit pages
    show them (a visit at 00:30 in New York is on the day after the practice's date)."""
    patient = patient_for_user(request.user)
    with shown_in(patient.time_zone_name if patient else settings.TIME_ZONE):
        return render(request, template, context)


def document_download(request: HttpRequest, document: FieldFile, *, filename: str) -> HttpResponse:
    """The stored PDF as a download, or, while it is still being rendered (or went missing), a 404
    page that says so: Django's own 404 page would not show the reason."""
    try:
        return pdf_response(document, filename=filename)
    except Http404 as exc:
        response = render(request, "patients/billing/document_pending.html", {"reason": str(exc)}, status=404)
        response["Cache-Control"] = "private, no-store"
        return response


@require_safe
@role_required(Role.PATIENT)
def estimate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    estimate = estimate_get_for(request.user, pk)
    return render_for_patient(
        request, "patients/billing/estimate_detail.html", {"estimate": estimate, "gfe": estimate.content}
    )


@require_safe
@role_required(Role.PATIENT)
def estimate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    estimate = estimate_get_for(request.user, pk)
    return document_download(request, estimate.pdf, filename=f"good-faith-estimate-{estimate.number}.pdf")


@require_POST
@role_required(Role.PATIENT)
def estimate_request(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    # An estimate names the patient and their date of birth (45 CFR 149.610(c)(1)): both are given
    # on the intake's first step, and a record made by opening the intake has neither yet.
    if patient is None or not (patient.legal_first_name and patient.legal_last_name and patient.date_of_birth):
        messages.info(
            request,
            "Give us your legal name and date of birth on the intake's first step first: "
            "the estimate is written for you by name.",
        )
        return redirect("patients:intake")
    try:
        estimate = services.estimate_request(patient=patient)
    except ValidationError as exc:
        flash_refusal(request, exc)
        return redirect("patients:prices")
    messages.success(request, f"Your Good Faith Estimate {estimate.number} is ready below; a PDF copy follows shortly.")
    return redirect("patients:estimate_detail", pk=estimate.pk)


@require_POST
@role_required(Role.PATIENT)
def superbill_request(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    form = SuperbillForm(request.POST)
    if patient is None:
        messages.info(request, "You have no paid visits yet.")
        return redirect("patients:billing")
    if form.is_valid():
        try:
            superbill = services.superbill_request(
                patient=patient,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
            )
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(
                request,
                f"Superbill {superbill.number} is being prepared. It appears in the list below in a minute; "
                "we will also email you when it is ready.",
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("patients:billing")


@require_safe
@role_required(Role.PATIENT)
def superbill_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    superbill = superbill_get_for(request.user, pk)
    return document_download(request, superbill.pdf, filename=f"superbill-{superbill.number}.pdf")


def superbill_form_for_today() -> SuperbillForm:
    return SuperbillForm.for_year_to_date(billing_today())
