"""The access matrix, generated from the URL map: every URL that names an object is requested by
every role, by an outsider of the same role, and anonymously, and each answer is asserted.

A URL added to the project without a row here fails ``test_every_object_url_is_in_the_matrix``."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from portal.tests.signin import sign_in
from tests.security.urlmap import project_routes

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# url name → (who owns it, the object it names, how the owner reaches it: "GET" page or "POST" action)
MATRIX: dict[str, tuple[str, str, str]] = {
    "patients:chart": ("physician+coordinator", "patient", "GET"),
    "patients:intake_review": ("physician", "patient", "POST"),
    # The chart's "Mark reviewed" for health answers the patient changed in their profile.
    "patients:health_changes_reviewed": ("physician", "patient", "POST"),
    "patients:appointment_reschedule": ("patient", "appointment", "GET"),
    "patients:appointment_cancel": ("patient", "appointment", "GET"),
    "patients:appointment_join": ("patient", "appointment", "GET"),
    "patients:appointment_room": ("patient", "appointment", "GET"),
    "patients:clinic_appointment_room": ("physician", "appointment", "GET"),
    "patients:appointment_calendar": ("patient", "appointment", "GET"),
    "patients:availability_delete": ("physician-own", "availability", "POST"),
    "patients:time_off_delete": ("physician-own", "time_off", "POST"),
    "patients:clinic_appointment": ("physician", "appointment", "GET"),
    "patients:appointment_outcome": ("physician", "appointment", "POST"),
    "patients:appointment_note": ("physician", "appointment", "POST"),
    "patients:visit_note": ("physician", "appointment", "GET"),
    "patients:visit_note_addendum": ("physician", "appointment", "POST"),
    "patients:clinic_appointment_cancel": ("physician+coordinator", "appointment", "POST"),
    "patients:clinic_book_for": ("physician+coordinator", "patient", "GET"),
    "patients:clinic_reschedule_for": ("physician+coordinator", "appointment", "GET"),
    "patients:recall_contact": ("physician+coordinator", "followup", "POST"),
    "patients:thread": ("patient", "thread", "GET"),
    "patients:attachment": ("patient", "attachment", "GET"),
    "patients:clinic_thread": ("physician+coordinator", "thread", "GET"),
    "patients:clinic_thread_assign": ("physician+coordinator", "thread", "POST"),
    "patients:clinic_attachment": ("physician+coordinator", "attachment", "GET"),
    "prescriptions:plan_new": ("physician", "patient", "GET"),
    "prescriptions:plan_pause": ("physician", "patient", "POST"),
    "prescriptions:care_item": ("physician", "care_item", "GET"),
    "patients:checkin_safety": ("patient", "checkin", "GET"),
    "prescriptions:order_new": ("physician", "patient", "GET"),
    "prescriptions:clinic_order": ("physician", "order", "GET"),
    "prescriptions:order_edit": ("physician", "order", "GET"),
    "prescriptions:order_sign": ("physician", "order", "POST"),
    "prescriptions:order_send": ("physician", "order", "POST"),
    "prescriptions:order_cancel": ("physician", "order", "POST"),
    "prescriptions:order_answer": ("physician", "order", "POST"),
    "prescriptions:refill_approve": ("physician", "refill", "POST"),
    "prescriptions:refill_decline": ("physician", "refill", "POST"),
    "prescriptions:pharmacy_order": ("pharmacy", "order", "GET"),
    "prescriptions:pharmacy_order_action": ("pharmacy", "order", "POST"),
    "prescriptions:patient_order": ("patient", "order", "GET"),
    "prescriptions:patient_refill_request": ("patient", "order", "POST"),
    "prescriptions:fhir_medication_request": ("physician+pharmacy", "order", "GET"),
    "prescriptions:clinic_order_pdf": ("physician", "order", "GET"),
    "prescriptions:pharmacy_order_pdf": ("pharmacy", "order", "GET"),
    "prescriptions:pharmacy_order_verify": ("pharmacy", "order", "POST"),
    "prescriptions:pharmacy_order_compounding": ("pharmacy", "order", "POST"),
    "prescriptions:pharmacy_order_fhir": ("pharmacy", "order", "GET"),
    "prescriptions:fax_retry": ("physician", "fax", "POST"),
    # Cash pay: only the patient sees their own estimates, payments, receipts and superbills.
    "patients:visit_pay": ("patient", "appointment", "POST"),
    "patients:payment_detail": ("patient", "payment", "GET"),
    "patients:receipt_pdf": ("patient", "payment", "GET"),
    "patients:estimate_detail": ("patient", "estimate", "GET"),
    "patients:estimate_pdf": ("patient", "estimate", "GET"),
    "patients:superbill_pdf": ("patient", "superbill", "GET"),
}

# Care coordinators see every served state, so none is an outsider to the world's Texas patient:
# their scope is tested by role (403 on every physician-only URL) and in patients/tests/test_care_team.py.
ROLES = ["patient", "physician", "pharmacy", "coordinator", "admin"]
# The world's order is already shipped, so its edit page sends the physician back to the order.
# The video room sends its owner back (to confirm their state, or to the visit page) until the
# room opens, 15 minutes before the visit; the world's visit is days away.
OWNER_GET_STATUS = {
    "prescriptions:order_edit": 302,
    "patients:appointment_room": 302,
    "patients:clinic_appointment_room": 302,
}


def object_urls() -> dict[str, str]:
    """url name → route, for every project URL with an object id in it."""
    return {name: route for name, route in project_routes().items() if "<int:" in route}


def test_every_object_url_is_in_the_matrix():
    assert set(object_urls()) == set(MATRIX)


def url_for(name: str, pk: int) -> str:
    route = object_urls()[name]
    return "/" + re.sub(r"<int:\w+>", str(pk), route)


def expected(owner: str, visitor: str, *, insider: bool, method: str) -> int:
    owners = {"physician"} if owner == "physician-own" else set(owner.split("+"))
    if visitor not in owners:
        return 403
    if not insider:
        return 404
    return 200 if method == "GET" else 405  # the owner's GET of an action is refused by method


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access_matrix(world, name):
    owner, obj, method = MATRIX[name]
    path = url_for(name, world["objects"][obj])
    failures = []

    def check(label, user, status_expected, verb):
        client = Client()
        if user is not None:
            sign_in(client, user)
        response = getattr(client, verb)(path)
        got = response.status_code
        if status_expected == "login":
            ok = got == 302 and response["Location"].startswith("/accounts/login/")
        else:
            ok = got == status_expected
        if not ok:
            failures.append(f"{label}: expected {status_expected}, got {got}")

    if method == "GET":
        check("anonymous GET", None, "login", "get")
        for role in ROLES:
            status = expected(owner, role, insider=True, method=method)
            check(f"{role} GET", world["insiders"][role], OWNER_GET_STATUS.get(name, 200) if status == 200 else status,
                  "get")  # fmt: skip
    else:
        # Actions refuse GET by method before anything else; the role gate answers the POST.
        check("anonymous POST", None, "login", "post")
        for role in ROLES:
            user = world["insiders"][role]
            check(f"{role} GET", user, 405, "get")
            if expected(owner, role, insider=True, method=method) == 403:
                check(f"{role} POST", user, 403, "post")
    for role, user in world["outsiders"].items():
        # The outsider of the owning role must not learn the object exists: 404, for GET and POST.
        verb = "get" if method == "GET" else "post"
        status = expected(owner, role, insider=False, method=method)
        if owner == "physician-own" and role == "physician":
            status = 404
        check(f"outsider {role} {verb.upper()}", user, status, verb)
    if owner == "physician-own":
        check("colleague POST", world["colleague"], 404, "post")
    assert not failures, f"{name} ({path}):\n" + "\n".join(failures)


# Pages for practice staff outside the admin (portal.access.staff_required): anonymous → sign in,
# every other role → 403, staff → 200. They name no object, so they sit outside MATRIX.
STAFF_PAGES = {"styleguide"}


def test_every_staff_page_is_gated_as_staff_only():
    from django.urls import resolve

    gated = {name for name, route in project_routes().items()
             if "<" not in route and getattr(resolve("/" + route).func, "staff_only", False)}  # fmt: skip
    assert gated == STAFF_PAGES


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(STAFF_PAGES))
def test_staff_pages_answer_only_practice_staff(world, name):
    path = "/" + project_routes()[name]
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for role in ROLES:
        client = Client()
        sign_in(client, world["insiders"][role])
        assert client.get(path).status_code == (200 if role == "admin" else 403), role


# The patient's own profile pages name no object: a patient only ever reaches their own record.
PATIENT_SELF_PAGES = ["patients:profile", "patients:profile_move"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PATIENT_SELF_PAGES)
def test_profile_pages_answer_only_the_patient(world, name):
    path = "/" + project_routes()[name]
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for role in ROLES:
        client = Client()
        sign_in(client, world["insiders"][role])
        assert client.get(path).status_code == (200 if role == "patient" else 403), role
