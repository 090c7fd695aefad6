"""The admin's lists: people by name, state filters limited to the served states, one access log on
the index, and changelists that fit a phone (README "Admin")."""

from __future__ import annotations

import datetime as dt

import pytest

from patients.models import WeeklyAvailability
from patients.tests.factories import PatientFactory
from portal.models import AccessLog, ServiceState
from portal.tests.factories import AdminFactory, PhysicianFactory, PhysicianLicenseFactory, state
from portal.tests.signin import sign_in


@pytest.fixture
def admin_client(client):
    sign_in(client, AdminFactory(first_name="Ada", last_name="Admin"))
    return client


@pytest.fixture
def dr_lopez(db):
    return PhysicianFactory(first_name="Maria", last_name="Lopez", email="m.lopez@example.com")


def changelist_rows(response) -> str:
    """The result table only (the filters and header are checked separately)."""
    content = response.content.decode()
    start = content.index('<table id="result_list">')
    return content[start : content.index("</table>", start)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/admin/portal/physicianlicense/", "/admin/patients/weeklyavailability/", "/admin/portal/accesslog/"]
)
def test_changelists_name_the_physician_instead_of_showing_an_email(admin_client, dr_lopez, url):
    PhysicianLicenseFactory(physician=dr_lopez)
    WeeklyAvailability.objects.create(physician=dr_lopez, weekday=0, start_time=dt.time(9), end_time=dt.time(12))
    AccessLog.objects.create(actor=dr_lopez, patient=PatientFactory().user, action="chart.view", path="/clinic/")
    response = admin_client.get(url)
    assert response.status_code == 200
    rows = changelist_rows(response)
    assert "Dr. Maria Lopez" in rows
    assert "m.lopez@example.com" not in rows


@pytest.mark.django_db
def test_the_physician_filter_names_physicians(admin_client, dr_lopez):
    PhysicianFactory(first_name="Sam", last_name="Okafor")  # a filter with one choice is not shown
    content = admin_client.get("/admin/patients/appointment/").content.decode()
    assert "Dr. Maria Lopez" in content and "m.lopez@example.com" not in content


@pytest.mark.django_db
def test_the_users_list_shows_the_display_name(admin_client, dr_lopez):
    rows = changelist_rows(admin_client.get("/admin/portal/user/?q=lopez"))
    assert "Dr. Maria Lopez" in rows and "m.lopez@example.com" in rows


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/patients/patient/",
        "/admin/patients/intake/",
        "/admin/patients/followup/",
        "/admin/patients/appointment/",
        "/admin/patients/thread/",
    ],
)
def test_state_filters_offer_only_the_states_the_practice_serves(admin_client, url):
    ServiceState.objects.create(code="CA", name="California", timezone="America/Los_Angeles", active=False)
    PatientFactory(state=state("TX"))
    response = admin_client.get(url)
    assert response.status_code == 200
    state_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "lookup_kwarg", "").endswith("state__id__exact")
    )
    offered = {str(title) for _, title in state_filter.lookup_choices}
    served = {str(s) for s in ServiceState.objects.filter(active=True)}
    assert offered == served
    assert "California (CA)" not in response.content.decode()


@pytest.mark.django_db
def test_the_license_state_filter_offers_the_states_that_have_licenses(admin_client, dr_lopez):
    ServiceState.objects.create(code="CA", name="California", timezone="America/Los_Angeles", active=False)
    PhysicianLicenseFactory(physician=dr_lopez, state=state("TX"))
    PhysicianLicenseFactory(physician=dr_lopez, state=state("GA"))
    response = admin_client.get("/admin/portal/physicianlicense/")
    state_filter = next(spec for spec in response.context["cl"].filter_specs if spec.field_path == "state")
    assert sorted(str(title) for _, title in state_filter.lookup_choices) == ["Georgia (GA)", "Texas (TX)"]


@pytest.mark.django_db
def test_the_admin_index_has_one_access_log_entry(admin_client):
    response = admin_client.get("/admin/")
    models = [(model["name"], model["admin_url"]) for app in response.context["app_list"] for model in app["models"]]
    access_logs = [
        (name, url) for name, url in models if "access log" in str(name).lower() or "access fail" in str(name).lower()
    ]
    assert access_logs == [("Access logs", "/admin/portal/accesslog/")]
    # Sign-in trouble stays in one place: axes' attempts, where a lockout is lifted.
    assert ("Access attempts", "/admin/axes/accessattempt/") in models
    assert admin_client.get("/admin/axes/accesslog/").status_code == 404


@pytest.mark.django_db
def test_admin_pages_load_the_phone_stylesheet(admin_client):
    content = admin_client.get("/admin/patients/appointment/").content.decode()
    assert '<link rel="stylesheet" href="/static/css/admin.css">' in content
