"""The patient's notification settings page (/patient/profile/notifications/)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from patients.notifications.forms import PhoneCodeForm, ReminderPreferencesForm, TextPhoneForm
from patients.notifications.services import (
    notification_preferences_update,
    text_phone_code_send,
    text_phone_set,
    text_phone_verify,
)
from patients.selectors import patient_for_user
from portal.access import Role, role_required
from portal.forms import add_service_errors, flash_refusal
from portal.sms.numbers import phone_for_display
from portal.sms.verification import phone_verification_pending

ACTIONS = {"preferences", "phone", "verify", "resend"}


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def notification_settings(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    if patient is None:
        messages.info(request, "Please start your intake first; your reminder settings come with your record.")
        return redirect("patients:intake")
    user = patient.user
    action = request.POST.get("action") if request.method == "POST" else None
    preferences = ReminderPreferencesForm(
        request.POST if action == "preferences" else None,
        initial={"email_reminders": not patient.email_opt_out, "text_reminders": not patient.sms_opt_out},
    )
    phone_form = TextPhoneForm(
        request.POST if action == "phone" else None,
        initial={"phone": phone_for_display(user.phone or patient.phone) if (user.phone or patient.phone) else ""},
    )
    code_form = PhoneCodeForm(request.POST if action == "verify" else None)
    if request.method == "POST":
        if action not in ACTIONS:
            messages.error(request, "Please use one of the buttons on this page.")
            return redirect("patients:notification_settings")
        done = _apply(request, action, patient, preferences, phone_form, code_form)
        if done:
            return redirect("patients:notification_settings")
    patient.refresh_from_db()
    user.refresh_from_db()
    return render(
        request,
        "patients/notifications/settings.html",
        {
            "patient": patient,
            "phone": phone_for_display(user.phone) if user.phone else "",
            "phone_verified": bool(user.phone and user.phone_verified_at),
            "code_pending": phone_verification_pending(user) is not None,
            "preferences": preferences,
            "phone_form": phone_form,
            "code_form": code_form,
        },
    )


def _apply(request, action, patient, preferences, phone_form, code_form) -> bool:
    """Run the chosen form's service; True when the page should reload with a message."""
    try:
        if action == "preferences":
            if not preferences.is_valid():
                return False
            try:
                notification_preferences_update(patient=patient, **preferences.cleaned_data)
            except ValidationError as exc:
                add_service_errors(preferences, exc)
                return False
            messages.success(request, "Your reminder settings are saved.")
        elif action == "phone":
            if not phone_form.is_valid():
                return False
            try:
                changed = text_phone_set(patient=patient, phone=phone_form.cleaned_data["phone"])
            except ValidationError as exc:
                add_service_errors(phone_form, exc)
                return False
            if changed or not patient.user.phone_verified_at:
                text_phone_code_send(patient=patient)
                messages.success(request, "We texted you a 6-digit code. Enter it below to verify your number.")
            else:
                messages.info(request, "That is already your verified number.")
        elif action == "resend":
            text_phone_code_send(patient=patient)
            messages.success(request, "We texted you a new 6-digit code.")
        elif action == "verify":
            if not code_form.is_valid():
                return False
            try:
                text_phone_verify(patient=patient, code=code_form.cleaned_data["code"])
            except ValidationError as exc:
                add_service_errors(code_form, exc)
                return False
            messages.success(
                request, "Your number is verified and text reminders are on. Reply STOP to any text to stop them."
            )
    except ValidationError as exc:
        # A code that could not be sent (too soon, too many, the provider refused): the number is
        # kept, and the page offers "Send a new code".
        flash_refusal(request, exc)
    return True
