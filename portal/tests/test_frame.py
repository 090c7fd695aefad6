"""The page frame (base.html): its links and assets, and a changed static URL."""

from django.templatetags.static import static
from django.test import override_settings
from django.urls import reverse

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
