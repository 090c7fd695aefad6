"""The page frame (base.html) and links to records: worked out once per process, and still right
when settings or the mount point change."""

import pytest
from django.templatetags.static import static
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from portal.links import record_url
from portal.tests.signin import sign_in


def test_the_frame_links_and_assets(client, patient):
    sign_in(client, patient.user)
    html = client.get(reverse("patients:home")).content.decode()
    for url in (reverse("landing"), reverse("mfa_index"), reverse("account_logout")):
        assert f'"{url}"' in html
    for asset in ("bootstrap/css/bootstrap.min.css", "css/portal.css", "bootstrap/js/bootstrap.bundle.min.js"):
        assert f'"{static(asset)}"' in html
    client.logout()
    html = client.get(reverse("landing")).content.decode()
    assert f'"{reverse("account_login")}"' in html and f'"{reverse("account_signup")}"' in html


def test_a_changed_static_url_is_not_served_from_the_old_frame(client, db):
    client.get(reverse("landing"))
    with override_settings(STATIC_URL="/assets-elsewhere/"):
        html = client.get(reverse("landing")).content.decode()
        assert '"/assets-elsewhere/css/portal.css"' in html
    assert '"/static/css/portal.css"' in client.get(reverse("landing")).content.decode()


@pytest.mark.parametrize("pk", [1, 7, 42, 987_654_321, 2**62])
def test_record_urls_are_what_reverse_gives(pk):
    for name in ("patients:chart", "prescriptions:pharmacy_order", "patients:clinic_thread"):
        assert record_url(name, pk) == reverse(name, args=[pk])


def test_record_urls_follow_the_mount_point():
    set_script_prefix("/portal/")
    try:
        assert record_url("patients:chart", 5) == reverse("patients:chart", args=[5]) == "/portal/clinic/patients/5/"
    finally:
        set_script_prefix("/")
    assert record_url("patients:chart", 5) == "/clinic/patients/5/"


def test_a_url_without_one_id_is_refused():
    with pytest.raises(NoReverseMatch):
        record_url("landing", 1)
