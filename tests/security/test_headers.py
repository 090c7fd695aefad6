"""Camera and microphone: refused on every page, allowed (to this origin only) where a video visit
is joined or run."""

import pytest
from django.test import Client

from portal.tests.signin import sign_in


@pytest.mark.django_db
def test_only_the_pages_of_a_video_visit_may_use_the_camera(world):
    appointment = world["objects"]["appointment"]
    patient, physician = Client(), Client()
    sign_in(patient, world["insiders"]["patient"])
    sign_in(physician, world["insiders"]["physician"])
    for client, path in ((patient, f"/patient/appointments/{appointment}/room/"),
                         (physician, f"/clinic/appointments/{appointment}/room/")):  # fmt: skip
        policy = client.get(path)["Permissions-Policy"]
        assert "camera=(self)" in policy and "microphone=(self)" in policy, path
    for client, path in ((patient, "/patient/"), (patient, "/patient/appointments/"), (physician, "/clinic/"),
                         (patient, f"/patient/appointments/{appointment}/join/"),
                         (physician, f"/clinic/appointments/{appointment}/")):  # fmt: skip
        policy = client.get(path)["Permissions-Policy"]
        assert "camera=()" in policy and "microphone=()" in policy, path
