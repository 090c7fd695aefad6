"""Every view: the access matrix (works / 403 wrong role / 404 out of scope / 405 wrong method /
anonymous to login) and what each page does, including bad input that saves nothing."""

import datetime as dt
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AccessLog
from portal.tests.factories import TEST_PASSWORD
from portal.tests.signin import sign_in
from prescriptions.dosing import Step
from prescriptions.models import OrderEvent, PrescriptionOrder, RefillRequest, TitrationPlan
from prescriptions.orders import refills as refills
from prescriptions.orders import selectors as order_selectors
from prescriptions.orders import services as order_services
from prescriptions.pharmacies import selectors as pharmacy_selectors
from prescriptions.plans import services as plan_services
from prescriptions.tests.factories import advance, make_draft, make_plan, sign


@pytest.fixture
def shipped(sent_order, pharmacy_user):
    return advance(sent_order, pharmacy_user, "received", "in_review", "compounding", "shipped")


@pytest.fixture
def refill_request(shipped, approved_patient):
    return refills.refill_request_create(order=shipped, patient=approved_patient)


# (method, path template, roles that may use it). {patient} = Patient pk, {order} = order pk,
# {refill} = refill request pk.
VIEWS = [
    ("get", "/clinic/patients/{patient}/plan/new/", {"physician"}),
    ("post", "/clinic/patients/{patient}/plan/new/", {"physician"}),
    ("get", "/clinic/patients/{patient}/orders/new/", {"physician"}),
    ("post", "/clinic/patients/{patient}/orders/new/", {"physician"}),
    ("get", "/clinic/orders/", {"physician"}),
    ("get", "/clinic/orders/{order}/", {"physician"}),
    ("get", "/clinic/orders/{order}/edit/", {"physician"}),
    ("post", "/clinic/orders/{order}/sign/", {"physician"}),
    ("post", "/clinic/orders/{order}/send/", {"physician"}),
    ("post", "/clinic/orders/{order}/cancel/", {"physician"}),
    ("post", "/clinic/orders/{order}/answer/", {"physician"}),
    ("post", "/clinic/refills/{refill}/approve/", {"physician"}),
    ("post", "/clinic/refills/{refill}/decline/", {"physician"}),
    ("get", "/pharmacy/", {"pharmacy"}),
    ("get", "/pharmacy/orders/{order}/", {"pharmacy"}),
    ("post", "/pharmacy/orders/{order}/action/", {"pharmacy"}),
    ("get", "/patient/orders/", {"patient"}),
    ("get", "/patient/orders/{order}/", {"patient"}),
    ("post", "/patient/orders/{order}/refill/", {"patient"}),
    ("get", "/patient/schedule/", {"patient"}),
    ("get", "/fhir/MedicationRequest/{order}", {"physician", "pharmacy"}),
]


def fill(path, approved_patient, order, refill):
    return path.format(patient=approved_patient.pk, order=order.pk, refill=refill.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "allowed"), VIEWS)
def test_each_view_answers_its_roles_and_refuses_the_others(
    client, role_users, approved_patient, shipped, refill_request, method, path, allowed
):
    url = fill(path, approved_patient, shipped, refill_request)
    for role, user in role_users.items():
        sign_in(client, user)
        response = getattr(client, method)(url)
        if role in allowed:
            assert response.status_code in (200, 302), (role, url, response.status_code)
        else:
            assert response.status_code == 403, (role, url)
    client.logout()
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "allowed"), VIEWS)
def test_each_view_refuses_the_wrong_http_method(
    client, role_users, approved_patient, shipped, refill_request, method, path, allowed
):
    url = fill(path, approved_patient, shipped, refill_request)
    sign_in(client, role_users[sorted(allowed)[0]])
    if path.endswith(("/plan/new/", "/orders/new/", "/edit/")):
        other = "delete"  # a form page: GET and POST only
    else:
        other = "post" if method == "get" else "get"
    assert getattr(client, other)(url).status_code == 405


SCOPED = [(m, p, a) for m, p, a in VIEWS if "{" in p]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "allowed"), SCOPED)
def test_records_outside_the_users_scope_are_404(
    client,
    approved_patient,
    shipped,
    refill_request,
    outsider_physician,
    outsider_pharmacy_user,
    other_patient,
    method,
    path,
    allowed,
):
    url = fill(path, approved_patient, shipped, refill_request)
    outsiders = {"physician": outsider_physician, "pharmacy": outsider_pharmacy_user, "patient": other_patient.user}
    for role in allowed:
        sign_in(client, outsiders[role])
        assert getattr(client, method)(url).status_code == 404, (role, url)
    assert PrescriptionOrder.objects.get(pk=shipped.pk).status == "shipped"
    assert RefillRequest.objects.get(pk=refill_request.pk).status == "pending"


@pytest.mark.django_db
def test_a_pharmacy_cannot_see_another_pharmacys_order_or_a_draft(
    client, plan, physician, shipped, outsider_pharmacy_user, pharmacy_user
):
    draft = make_draft(plan, physician)
    sign_in(client, outsider_pharmacy_user)
    assert client.get(f"/pharmacy/orders/{shipped.pk}/").status_code == 404
    assert shipped.number.encode() not in client.get("/pharmacy/?queue=shipped").content
    sign_in(client, pharmacy_user)
    assert client.get(f"/pharmacy/orders/{draft.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_patient_never_sees_another_patients_order_or_a_draft(
    client, plan, physician, shipped, other_patient, approved_patient
):
    draft = make_draft(plan, physician)
    sign_in(client, other_patient.user)
    assert client.get(f"/patient/orders/{shipped.pk}/").status_code == 404
    assert shipped.number.encode() not in client.get("/patient/orders/").content
    sign_in(client, approved_patient.user)
    assert client.get(f"/patient/orders/{draft.pk}/").status_code == 404


# --- plans ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_physician_starts_a_standard_plan_from_the_chart(client, physician, approved_patient):
    sign_in(client, physician)
    page = client.get(f"/clinic/patients/{approved_patient.pk}/plan/new/")
    assert b"Start a titration plan" in page.content and b"1.5 mg \xc3\x97 7 d" in page.content
    data = {
        "template": "standard",
        "formulation": "capsule",
        "dosing_time": "bedtime",
        "start_date": approved_patient.today().isoformat(),
        "followup_due_in_days": 21,
        "steps-TOTAL_FORMS": 8,
        "steps-INITIAL_FORMS": 0,
    }
    response = client.post(f"/clinic/patients/{approved_patient.pk}/plan/new/", data)
    assert response.status_code == 302 and response["Location"] == f"/clinic/patients/{approved_patient.pk}/"
    plan = TitrationPlan.objects.get()
    assert (plan.formulation, plan.followup_due_in_days) == ("capsule", 21)
    assert AccessLog.objects.filter(action="plan.new", actor=physician).count() == 2


@pytest.mark.django_db
def test_a_hand_written_plan_with_a_bad_step_shows_the_error_and_saves_nothing(client, physician, approved_patient):
    sign_in(client, physician)
    data = {
        "template": "custom",
        "formulation": "oral_liquid",
        "dosing_time": "morning",
        "start_date": approved_patient.today().isoformat(),
        "followup_due_in_days": 14,
        "steps-TOTAL_FORMS": 8,
        "steps-INITIAL_FORMS": 0,
        "steps-0-dose_mg": "1.0",
        "steps-0-days": "5",
        "steps-1-dose_mg": "9.5",
    }
    response = client.post(f"/clinic/patients/{approved_patient.pk}/plan/new/", data)
    assert response.status_code == 200
    assert "lasts 7 to 21 days" in response.content.decode()
    assert "above the 9.0 mg limit and is refused" in response.content.decode()
    assert not TitrationPlan.objects.exists()


@pytest.mark.django_db
def test_a_plan_for_an_unapproved_intake_is_refused_on_the_page(client, physician, patient):
    sign_in(client, physician)
    page = client.get(f"/clinic/patients/{patient.pk}/plan/new/")
    assert b"has not been approved yet" in page.content
    data = {
        "template": "standard",
        "formulation": "capsule",
        "dosing_time": "bedtime",
        "start_date": patient.today().isoformat(),
        "followup_due_in_days": 14,
        "steps-TOTAL_FORMS": 8,
        "steps-INITIAL_FORMS": 0,
    }
    response = client.post(f"/clinic/patients/{patient.pk}/plan/new/", data)
    assert b"review and approve this patient&#x27;s intake" in response.content
    assert not TitrationPlan.objects.exists()


@pytest.mark.django_db
def test_the_change_form_is_prefilled_with_the_current_plan(client, physician, plan, approved_patient):
    sign_in(client, physician)
    response = client.get(f"/clinic/patients/{approved_patient.pk}/plan/new/")
    assert b"Saving makes version 2" in response.content
    initial = response.context["formset"].initial
    assert [row["dose_mg"] for row in initial] == [D("1.5"), D("3.0"), D("4.5")]


# --- orders (physician) --------------------------------------------------------------------------


@pytest.mark.django_db
def test_physician_drafts_an_order_and_sees_the_arithmetic(client, physician, plan, approved_patient):
    sign_in(client, physician)
    page = client.get(f"/clinic/patients/{approved_patient.pk}/orders/new/")
    assert page.context["form"].initial["indication_code"] == "M79.7"
    assert b'<datalist id="icd10-suggestions">' in page.content
    data = {
        **{k: v for k, v in page.context["form"].initial.items() if v is not None},
        "concentration_mg_per_ml": "1.0",
        "days_supply": "30",
        "refills": "1",
        "supply_start": approved_patient.today().isoformat(),
    }
    response = client.post(f"/clinic/patients/{approved_patient.pk}/orders/new/", data)
    order = PrescriptionOrder.objects.get()
    assert response["Location"] == f"/clinic/orders/{order.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "16 days × 4.5 mL (4.5 mg) = 72.0 mL" in page
    assert "Total: 103.5 mL, rounded up to 104 mL to dispense" in page
    assert "Take 1.5 mL (1.5 mg) by mouth at bedtime for 7 days" in page


@pytest.mark.django_db
def test_a_bad_indication_code_shows_the_error_and_saves_nothing(client, physician, plan, approved_patient):
    sign_in(client, physician)
    data = {
        "concentration_mg_per_ml": "1.0",
        "supply_start": approved_patient.today().isoformat(),
        "days_supply": "30",
        "refills": "0",
        "indication_code": "MM79.7",
        "indication_text": "Fibromyalgia",
        **order_services.ship_to_from_patient(approved_patient),
    }
    response = client.post(f"/clinic/patients/{approved_patient.pk}/orders/new/", data)
    assert response.status_code == 200
    assert "is not an ICD-10-CM code" in response.content.decode()
    assert not PrescriptionOrder.objects.exists()


@pytest.mark.django_db
def test_an_order_cannot_be_drafted_without_a_plan(client, physician, approved_patient):
    sign_in(client, physician)
    response = client.get(f"/clinic/patients/{approved_patient.pk}/orders/new/", follow=True)
    assert b"Start a titration plan before drafting an order" in response.content


@pytest.mark.django_db
def test_physician_signs_with_the_password_and_the_order_goes_to_the_pharmacy(client, physician, draft, tx_pharmacy):
    sign_in(client, physician)
    response = client.post(f"/clinic/orders/{draft.pk}/sign/", {"password": "nope"}, follow=True)
    assert b"not right. The order was not signed" in response.content
    assert PrescriptionOrder.objects.get(pk=draft.pk).status == "draft"
    response = client.post(f"/clinic/orders/{draft.pk}/sign/", {}, follow=True)
    assert b"Enter your password or the code" in response.content
    response = client.post(f"/clinic/orders/{draft.pk}/sign/", {"password": TEST_PASSWORD}, follow=True)
    assert f"Signed and sent to {tx_pharmacy.name}".encode() in response.content
    assert b"matches the signed content" in response.content
    assert PrescriptionOrder.objects.get(pk=draft.pk).status == "sent"


@pytest.mark.django_db
def test_a_signed_order_cannot_be_edited_from_the_page(client, physician, sent_order):
    sign_in(client, physician)
    response = client.post(f"/clinic/orders/{sent_order.pk}/edit/", {"refills": 3}, follow=True)
    assert b"content is frozen" in response.content
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).refills == 0


@pytest.mark.django_db
def test_editing_a_draft_recomputes_it(client, physician, draft):
    sign_in(client, physician)
    page = client.get(f"/clinic/orders/{draft.pk}/edit/")
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(days_supply="14", concentration_mg_per_ml="1.5")
    response = client.post(f"/clinic/orders/{draft.pk}/edit/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.days_supply, draft.quantity) == (14, D("21"))


@pytest.mark.django_db
def test_pharmacy_question_and_physician_answer_round_trip(client, physician, pharmacy_user, sent_order):
    advance(sent_order, pharmacy_user, "received", "in_review")
    sign_in(client, pharmacy_user)
    client.post(f"/pharmacy/orders/{sent_order.pk}/action/", {"to": "needs_clarification", "note": "Flavoured?"})
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "needs_clarification"
    sign_in(client, physician)
    page = client.get(f"/clinic/orders/{sent_order.pk}/")
    assert b"The pharmacy asks" in page.content and b"Flavoured?" in page.content
    response = client.post(f"/clinic/orders/{sent_order.pk}/answer/", {"note": ""}, follow=True)
    assert b"Write your answer" in response.content
    client.post(f"/clinic/orders/{sent_order.pk}/answer/", {"note": "Unflavoured, please."})
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "in_review"
    sign_in(client, pharmacy_user)
    page = client.get(f"/pharmacy/orders/{sent_order.pk}/").content.decode()
    assert "Physician answered" in page and "Unflavoured, please." in page


@pytest.mark.django_db
def test_physician_cancels_before_compounding_only(client, physician, pharmacy_user, sent_order):
    sign_in(client, physician)
    response = client.post(f"/clinic/orders/{sent_order.pk}/cancel/", {"note": ""}, follow=True)
    assert b"Say why the order is cancelled" in response.content
    advance(sent_order, pharmacy_user, "received", "in_review", "compounding")
    response = client.post(f"/clinic/orders/{sent_order.pk}/cancel/", {"note": "Stop"}, follow=True)
    assert b"cannot become cancelled" in response.content
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "compounding"


@pytest.mark.django_db
def test_physician_approves_a_refill_into_a_new_draft(client, physician, refill_request):
    sign_in(client, physician)
    listing = client.get("/clinic/orders/")
    assert refill_request in listing.context["refill_requests"]
    response = client.post(f"/clinic/refills/{refill_request.pk}/approve/")
    new_order = PrescriptionOrder.objects.get(status="draft")
    assert response["Location"] == f"/clinic/orders/{new_order.pk}/"
    response = client.post(f"/clinic/refills/{refill_request.pk}/approve/", follow=True)
    assert response.status_code == 404  # answered requests leave the physician's queue


@pytest.mark.django_db
def test_declining_a_refill_needs_a_reason(client, physician, refill_request):
    sign_in(client, physician)
    response = client.post(f"/clinic/refills/{refill_request.pk}/decline/", {"note": ""}, follow=True)
    assert b"Say why" in response.content
    assert RefillRequest.objects.get().status == "pending"


# --- pharmacy ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pharmacy_moves_an_order_to_shipped_and_shipping_needs_tracking(client, pharmacy_user, sent_order):
    sign_in(client, pharmacy_user)
    url = f"/pharmacy/orders/{sent_order.pk}/action/"
    for to in ("received", "in_review", "compounding"):
        assert client.post(url, {"to": to}).status_code == 302
    response = client.post(url, {"to": "shipped", "carrier": "UPS"}, follow=True)
    assert b"carrier and the tracking number" in response.content
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "compounding"
    client.post(url, {"to": "shipped", "carrier": "UPS", "tracking_number": "1Z999AA10123456784"})
    order = PrescriptionOrder.objects.get(pk=sent_order.pk)
    assert (order.status, order.tracking_number) == ("shipped", "1Z999AA10123456784")
    response = client.post(url, {"to": "teleported"}, follow=True)
    assert b"Choose one of the actions" in response.content
    response = client.post(url, {"to": "cancelled"}, follow=True)
    assert b"Choose one of the actions" in response.content  # not a pharmacy action


@pytest.mark.django_db
def test_pharmacy_order_page_has_everything_to_compound_and_ship_and_prints_on_one_page(
    client, pharmacy_user, sent_order
):
    sign_in(client, pharmacy_user)
    page = client.get(f"/pharmacy/orders/{sent_order.pk}/").content.decode()
    for text in (
        "Naltrexone hydrochloride, compounded",
        "1.0 mg/mL",
        sent_order.sig,
        "104 mL",
        "M79.7",
        "Rosa Diaz",
        "No known drug allergies",
        sent_order.prescriber_npi,
        sent_order.prescriber_license_number,
        "1 Congress Ave",
        'class="pharmacy-order-print"',
        "matches the signed content",
        "Acknowledge receipt",
    ):
        assert text in page, text
    assert AccessLog.objects.filter(actor=pharmacy_user, action="order.view").exists()
    # the print layout lives in the portal's stylesheet (no inline style under the CSP)
    from django.contrib.staticfiles import finders

    assert ".pharmacy-order-print" in Path(finders.find("css/portal.css")).read_text().split("@media print")[-1]


@pytest.mark.django_db
def test_pharmacy_queue_lists_its_orders_by_queue_newest_first(client, pharmacy_user, plan, physician, tx_pharmacy):
    orders = [sign(make_draft(plan, physician), physician) for _ in range(3)]
    advance(orders[0], pharmacy_user, "received", "in_review")
    sign_in(client, pharmacy_user)
    new = client.get("/pharmacy/")
    assert [o.pk for o in new.context["page"]] == [orders[2].pk, orders[1].pk]
    assert {k: n for k, _, n in new.context["queues"]}["in_review"] == 1
    review = client.get("/pharmacy/?queue=in_review")
    assert [o.pk for o in review.context["page"]] == [orders[0].pk]
    assert client.get("/pharmacy/?queue=nonsense").context["queue"] == "new"


@pytest.mark.django_db
def test_pharmacy_queue_paginates(client, pharmacy_user, sent_order):
    clone_orders(sent_order, 30)
    sign_in(client, pharmacy_user)
    assert len(client.get("/pharmacy/").context["page"]) == 25
    second = client.get("/pharmacy/?queue=new&page=2")
    assert len(second.context["page"]) == 6
    html = second.content.decode()
    assert "Page 2<" in html and "page=1" in html and "page=3" not in html
    assert "No orders in this queue" in client.get("/pharmacy/?page=9").content.decode()
    assert len(client.get("/pharmacy/?page=oops").context["page"]) == 25
    assert len(client.get("/pharmacy/?page=-3").context["page"]) == 25
    huge = client.get("/pharmacy/?page=99999999999999999999999")
    assert huge.status_code == 200 and huge.context["page"].number == 100_000


@pytest.mark.django_db
def test_pharmacy_queue_tabs_count_up_to_a_cap(client, pharmacy_user, sent_order, outsider_pharmacy_user, monkeypatch):

    clone_orders(sent_order, 5)  # six orders in the "new" queue
    pharmacy = pharmacy_selectors.pharmacy_for(pharmacy_user)
    assert order_selectors.pharmacy_queue_counts(pharmacy, cap=4)["new"] == 5  # more than 4
    assert order_selectors.pharmacy_queue_counts(pharmacy, cap=6)["new"] == 6  # exactly 6
    assert order_selectors.pharmacy_queue_counts(pharmacy_selectors.pharmacy_for(outsider_pharmacy_user))["new"] == 0
    assert order_selectors.pharmacy_queue_counts(pharmacy, cap=10) == {
        "new": 6,
        "in_review": 0,
        "needs_clarification": 0,
        "compounding": 0,
        "shipped": 0,
        "closed": 0,
    }
    monkeypatch.setattr(order_selectors, "QUEUE_COUNT_CAP", 4)
    sign_in(client, pharmacy_user)
    html = client.get("/pharmacy/").content.decode()
    assert "4+<span" in html


# --- patient -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_patient_follows_the_order_and_sees_the_tracking_number(client, approved_patient, shipped):
    sign_in(client, approved_patient.user)
    listing = client.get("/patient/orders/").content.decode()
    assert (
        shipped.number in listing and "Shipped" in listing and "USPS tracking number 9400100000000000000001" in listing
    )
    page = client.get(f"/patient/orders/{shipped.pk}/").content.decode()
    assert "USPS 9400100000000000000001" in page and "Ask for a refill" in page
    assert not AccessLog.objects.filter(actor=approved_patient.user).exists()  # their own record


@pytest.mark.django_db
def test_patient_requests_a_refill_once(client, approved_patient, shipped):
    sign_in(client, approved_patient.user)
    client.post(f"/patient/orders/{shipped.pk}/refill/", {"note": "Two days left"})
    assert RefillRequest.objects.get().patient_note == "Two days left"
    response = client.post(f"/patient/orders/{shipped.pk}/refill/", {"note": ""}, follow=True)
    assert b"already asked for a refill" in response.content
    assert RefillRequest.objects.count() == 1


@pytest.mark.django_db
def test_patient_cannot_request_a_refill_before_shipping(client, approved_patient, sent_order):
    sign_in(client, approved_patient.user)
    response = client.post(f"/patient/orders/{sent_order.pk}/refill/", {"note": "x" * 501}, follow=True)
    assert b"under 500 characters" in response.content
    response = client.post(f"/patient/orders/{sent_order.pk}/refill/", {}, follow=True)
    assert b"once this order has shipped" in response.content
    assert not RefillRequest.objects.exists()


@pytest.mark.django_db
def test_the_schedule_calendar_shows_each_days_dose(client, approved_patient, physician):
    plan = make_plan(approved_patient, physician)
    sign_in(client, approved_patient.user)
    start = plan.start_date
    month = f"{start:%Y-%m}"
    response = client.get(f"/patient/schedule/?month={month}")
    cells = {cell.day: cell for week in response.context["calendar"].weeks for cell in week if cell}
    assert cells[start].mg == D("1.5") and cells[start].changes and cells[start].is_today
    later = start + dt.timedelta(days=7)
    if later.month == start.month:
        assert (cells[later].mg, cells[later].changes) == (D("3.0"), True)
    assert b'aria-current="date"' in response.content
    assert client.get("/patient/schedule/?month=2026-13").status_code == 200
    assert client.get("/patient/schedule/?month=bad").context["calendar"].month == approved_patient.today().month


@pytest.mark.django_db
def test_the_schedule_without_a_plan_says_so(client, patient):
    sign_in(client, patient.user)
    assert b"do not have a dosing plan yet" in client.get("/patient/schedule/").content


@pytest.mark.django_db
def test_dashboard_shows_tonights_dose_in_mg_and_ml_and_the_order_status(client, approved_patient, shipped):
    sign_in(client, approved_patient.user)
    content = client.get("/patient/").content.decode()
    assert "Tonight's dose" in content
    assert re.search(r"1\.5 mg\s*<span[^>]*>= 1\.5 mL", content)
    assert "Take 1.5 mL (1.5 mg) by mouth at bedtime" in content
    assert f"Latest prescription ({shipped.number}): <strong>Shipped</strong>" in content
    assert "/patient/orders/" in content and "/patient/schedule/" in content


@pytest.mark.django_db
def test_dashboard_before_any_plan_keeps_the_placeholder(client, patient):
    sign_in(client, patient.user)
    assert b"No prescription yet" in client.get("/patient/").content


@pytest.mark.django_db
def test_chart_draws_the_dose_step_line_and_the_titration_card(client, physician, approved_patient, shipped):
    plan_services.titration_plan_create(
        patient=approved_patient,
        physician=physician,
        start_date=approved_patient.today(),
        template="custom",
        steps=[Step(D("1.5"), None)],
        dosing_time="morning",
        note="Vivid dreams",
    )
    sign_in(client, physician)
    content = client.get(f"/clinic/patients/{approved_patient.pk}/").content.decode()
    assert 'stroke="#6f42c1"' in content and "dose (mg)" in content
    assert "Titration plan" in content and "Version 2" in content and "Earlier versions" in content
    assert f"/clinic/patients/{approved_patient.pk}/plan/new/" in content
    assert f"/clinic/orders/{shipped.pk}/" in content


# --- query budgets -------------------------------------------------------------------------------


def clone_orders(order, count):
    """Copies of a signed order (with its events), quickly, for data-size tests."""
    order = PrescriptionOrder.objects.get(pk=order.pk)
    events = list(OrderEvent.objects.filter(order=order))
    copies = []
    for _ in range(count):
        order.pk = order.id = None
        copies.append(PrescriptionOrder(**{f.attname: getattr(order, f.attname) for f in order._meta.concrete_fields}))
    created = PrescriptionOrder.objects.bulk_create(copies)
    OrderEvent.objects.bulk_create(
        OrderEvent(
            order=c, actor_id=e.actor_id, actor_role=e.actor_role, from_status=e.from_status, to_status=e.to_status
        )
        for c in created
        for e in events
    )
    return created


def count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_pharmacy_pages_do_not_query_more_with_more_orders(client, pharmacy_user, sent_order):
    sign_in(client, pharmacy_user)
    clone_orders(sent_order, 9)
    small = [count_queries(client, p) for p in ("/pharmacy/", f"/pharmacy/orders/{sent_order.pk}/")]
    clone_orders(sent_order, 190)
    advance(sent_order, pharmacy_user, "received", "in_review", "needs_clarification")
    large = [count_queries(client, p) for p in ("/pharmacy/", f"/pharmacy/orders/{sent_order.pk}/")]
    assert PrescriptionOrder.objects.count() == 200
    assert small == large
    assert max(large) <= 15


@pytest.mark.django_db
def test_clinic_and_patient_order_pages_do_not_query_more_with_more_orders(
    client, physician, approved_patient, sent_order, pharmacy_user
):
    paths = [f"/clinic/orders/{sent_order.pk}/", "/clinic/orders/", f"/fhir/MedicationRequest/{sent_order.pk}"]
    paths.append(f"/clinic/patients/{sent_order.patient_id}/")  # the chart lists the orders and refill requests
    sign_in(client, physician)
    clone_orders(sent_order, 9)
    RefillRequest.objects.create(order=sent_order, patient=sent_order.patient)
    small = [count_queries(client, p) for p in paths]
    for order in clone_orders(sent_order, 190)[:20]:
        RefillRequest.objects.create(order=order, patient=order.patient)
    large = [count_queries(client, p) for p in paths]
    assert small == large and max(large) <= 15
    sign_in(client, approved_patient.user)
    paths = ["/patient/orders/", f"/patient/orders/{sent_order.pk}/", "/patient/schedule/", "/patient/"]
    RefillRequest.objects.all().delete()
    PrescriptionOrder.objects.exclude(pk=sent_order.pk).delete()
    for path in paths:  # fill the cached reading list of the patient's phase
        client.get(path)
    small = [count_queries(client, p) for p in paths]
    advance(sent_order, pharmacy_user, "received", "in_review", "compounding", "shipped")
    clone_orders(sent_order, 20)
    for path in paths:  # a shipped order moves the patient on to titration: warm that phase's reading list
        client.get(path)
    assert [count_queries(client, p) for p in paths] == small


@pytest.mark.django_db
def test_a_capsule_plan_no_strength_fits_says_so(client, physician, approved_patient):
    steps = [Step(D("0.5"), 7), Step(D("4.5"), None)]  # 4.5 mg would be nine 0.5 mg capsules
    make_plan(approved_patient, physician, template="custom", steps=steps, formulation="capsule")
    sign_in(client, physician)
    page = client.get(f"/clinic/patients/{approved_patient.pk}/orders/new/")
    assert b"No single capsule strength gives every dose" in page.content


@pytest.mark.django_db
def test_a_held_order_is_signed_but_reaches_the_pharmacy_only_when_sent(
    client, physician, pharmacy_user, draft, tx_pharmacy
):
    sign_in(client, physician)
    response = client.post(f"/clinic/orders/{draft.pk}/sign/", {"password": TEST_PASSWORD, "hold": "on"}, follow=True)
    assert b"Signed and held" in response.content and b"Send to the pharmacy now" in response.content
    assert PrescriptionOrder.objects.get(pk=draft.pk).status == "signed"
    sign_in(client, pharmacy_user)
    assert client.get(f"/pharmacy/orders/{draft.pk}/").status_code == 404
    sign_in(client, physician)
    client.post(f"/clinic/orders/{draft.pk}/send/")
    assert PrescriptionOrder.objects.get(pk=draft.pk).status == "sent"
    sign_in(client, pharmacy_user)
    assert client.get(f"/pharmacy/orders/{draft.pk}/").status_code == 200


@pytest.mark.django_db
def test_clinic_home_counts_what_waits_for_a_physician(
    client, physician, outsider_physician, plan, refill_request, pharmacy_user
):
    question = sign(make_draft(plan, physician), physician)
    advance(question, pharmacy_user, "received", "in_review", "needs_clarification")
    make_draft(plan, physician)
    sign_in(client, physician)
    html = client.get("/clinic/").content.decode()
    assert "1 pharmacy question</strong> to answer" in html
    assert "1 draft to sign" in html
    assert "1 refill request</strong>" in html
    sign_in(client, outsider_physician)  # licensed in Iowa only: none of these are theirs
    html = client.get("/clinic/").content.decode()
    assert "No pharmacy questions" in html and "0 drafts to sign" in html and "No refill requests" in html
