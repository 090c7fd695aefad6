"""A state is served only once a physician and a pharmacy hold active licenses there; activating it
tells its waitlist, once, with an email that says nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from patients.intake.services import waitlist_join
from patients.models import WaitlistEntry
from portal.models import ServiceState
from portal.tests.factories import AdminFactory, PhysicianLicenseFactory
from portal.tests.outbox import deliver_due
from portal.tests.signin import sign_in

NOON_CHICAGO = dt.datetime(2026, 12, 7, 18, 0, tzinfo=dt.UTC)


def form(state: ServiceState, **changes) -> dict:
    return {"code": state.code, "name": state.name, "timezone": state.timezone, **changes}


@pytest.mark.django_db
def test_a_state_without_licensed_physician_and_pharmacy_cannot_be_activated(client):
    nevada = ServiceState.objects.create(code="NV", name="Nevada", timezone="America/Los_Angeles", active=False)
    sign_in(client, AdminFactory())
    page = client.post(f"/admin/portal/servicestate/{nevada.pk}/change/", form(nevada, active="on")).content.decode()
    assert "Nevada cannot be served yet: no physician and no pharmacy holds an active, verified license there" in page
    nevada.refresh_from_db()
    assert not nevada.active
    PhysicianLicenseFactory(state=nevada)
    page = client.post(f"/admin/portal/servicestate/{nevada.pk}/change/", form(nevada, active="on")).content.decode()
    assert "no pharmacy holds" in page and "no physician" not in page


@pytest.mark.django_db
def test_activating_a_state_tells_its_waitlist_once(client, django_capture_on_commit_callbacks):
    from prescriptions.tests.factories import PharmacyLicenseFactory

    nevada = ServiceState.objects.create(code="NV", name="Nevada", timezone="America/Los_Angeles", active=False)
    waitlist_join(email="nora@example.com", state_code="NV")
    waitlist_join(email="utah.person@example.com", state_code="UT")
    PhysicianLicenseFactory(state=nevada)
    PharmacyLicenseFactory(state=nevada)
    with time_machine.travel(NOON_CHICAGO, tick=False):
        sign_in(client, AdminFactory())
        for _ in range(2):  # a second save sends nothing more
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(f"/admin/portal/servicestate/{nevada.pk}/change/", form(nevada, active="on"))
            assert response.status_code == 302
            deliver_due()
    (message,) = mail.outbox
    assert (message.to, message.subject) == (["nora@example.com"], "We now serve Nevada")
    assert WaitlistEntry.objects.get(email="nora@example.com").notified_at is not None
    assert WaitlistEntry.objects.get(email="utah.person@example.com").notified_at is None
