from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from patients.selectors import patient_for_user, patient_list_for
from portal.access import Role, role_required
from portal.selectors import physician_licenses_for


@require_safe
@role_required(Role.PATIENT)
def patient_home(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    return render(request, "patients/patient_home.html", {"patient": patient})


@require_safe
@role_required(Role.PHYSICIAN)
def clinic_home(request: HttpRequest) -> HttpResponse:
    licenses = list(physician_licenses_for(request.user))
    patient_count = patient_list_for(request.user).count()
    return render(
        request,
        "patients/clinic_home.html",
        {"licenses": licenses, "patient_count": patient_count},
    )
