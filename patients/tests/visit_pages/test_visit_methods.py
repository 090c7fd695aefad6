"""Every visit page refuses the HTTP methods it does not take."""

import pytest

from portal.tests.signin import sign_in


@pytest.mark.django_db
def test_wrong_methods_are_refused(client, visit, patient, physician):
    sign_in(client, patient.user)
    assert client.put(f"/patient/appointments/{visit.pk}/cancel/").status_code == 405
    assert client.put("/patient/appointments/book/").status_code == 405
    assert client.post("/patient/appointments/").status_code == 405
    assert client.post(f"/patient/appointments/{visit.pk}/calendar.ics").status_code == 405
    sign_in(client, physician)
    assert client.post("/clinic/schedule/").status_code == 405
    assert client.get(f"/clinic/appointments/{visit.pk}/outcome/").status_code == 405
    assert client.get(f"/clinic/appointments/{visit.pk}/note/").status_code == 405
    assert client.post(f"/clinic/appointments/{visit.pk}/").status_code == 405
    assert client.delete("/clinic/availability/").status_code == 405
