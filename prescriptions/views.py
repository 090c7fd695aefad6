from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.access import Role, role_required
from prescriptions.selectors import pharmacy_for


@require_safe
@role_required(Role.PHARMACY)
def pharmacy_home(request: HttpRequest) -> HttpResponse:
    pharmacy = pharmacy_for(request.user)
    return render(request, "prescriptions/pharmacy_home.html", {"pharmacy": pharmacy})
