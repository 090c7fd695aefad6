"""Every order reaches its pharmacy, in a real browser: Dr. Rivera signs an order for a pharmacy
outside the portal and the order page shows the fax sent (the PDF produced and handed to the
default fax backend, which stores it in private storage); another order, for a portal pharmacy,
emails its staff that something is waiting in their workspace, without a word about the patient
or the prescription (issue 18)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from e2e.conftest import assert_accessible, sign_in
from portal.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def fax_storage(private_storage, settings):
    """The root conftest's throwaway storage and the default (storing) fax backend, as the fax
    unit tests set them; the server runs in this process, so it sees the same settings."""
    settings.FAX_BACKEND = "prescriptions.fax.backends.StoredFaxBackend"
    return private_storage


def sign_in_the_browser(doctor, base: str, order) -> None:
    doctor.goto(f"{base}/clinic/orders/{order.pk}/")
    doctor.get_by_role("heading", name="Sign and send").wait_for()
    doctor.get_by_label("Your password").fill(TEST_PASSWORD)
    doctor.get_by_role("button", name="Sign the order").click()


def test_a_fax_pharmacy_gets_the_signed_order_by_fax_and_a_portal_pharmacy_a_phi_free_email(
    new_page, asgi_server, fax_storage
):
    from patients.tests.factories import PatientFactory
    from portal.tests.factories import PhysicianLicenseFactory, UserFactory, state
    from portal.tests.outbox import deliver_due
    from prescriptions.models import FaxTransmission, PharmacyPreference
    from prescriptions.tests.factories import (
        PharmacyFactory,
        PharmacyLicenseFactory,
        PharmacyMembershipFactory,
        approve_intake,
        make_draft,
        make_plan,
    )

    physician = PhysicianLicenseFactory(
        state=state("TX"), physician__email="fax.doctor@example.com", physician__first_name="Elena",
        physician__last_name="Rivera",
    ).physician  # fmt: skip
    # A Texas pharmacy outside the portal, receiving orders by fax: the first patient's choice.
    fax_pharmacy = PharmacyFactory(name="Hill Country Apothecary", order_delivery="fax", fax="(512) 555-0199")
    PharmacyLicenseFactory(pharmacy=fax_pharmacy, state=state("TX"))
    faxed = PatientFactory(user=UserFactory(email="fax.patient@example.com"), state=state("TX"))
    approve_intake(faxed, physician, about={"legal_first_name": "Marisol", "legal_last_name": "Quintero"})
    PharmacyPreference.objects.update_or_create(patient=faxed, defaults={"pharmacy": fax_pharmacy})
    fax_order = make_draft(make_plan(faxed, physician), physician)
    # A portal pharmacy whose pharmacist asked for order emails: the second patient's choice.
    membership = PharmacyMembershipFactory(user__email="portal.pharmacist@example.com")
    PharmacyLicenseFactory(pharmacy=membership.pharmacy, state=state("TX"))
    portal_patient = PatientFactory(user=UserFactory(email="portal.patient@example.com"), state=state("TX"))
    approve_intake(portal_patient, physician, about={"legal_first_name": "Delphine", "legal_last_name": "Achterberg"})
    PharmacyPreference.objects.update_or_create(patient=portal_patient, defaults={"pharmacy": membership.pharmacy})
    portal_order = make_draft(make_plan(portal_patient, physician), physician)
    base = asgi_server

    doctor = new_page()
    sign_in(doctor, base, physician.email, TEST_PASSWORD, totp_secret=TEST_TOTP_SECRET)

    # 1. The fax pharmacy: the draft says where it goes, signing hands the PDF to the fax backend.
    doctor.goto(f"{base}/clinic/orders/{fax_order.pk}/")
    doctor.get_by_text("Hill Country Apothecary").first.wait_for()
    sign_in_the_browser(doctor, base, fax_order)
    doctor.get_by_text("Signed. The prescription is being faxed to Hill Country Apothecary.").wait_for()
    transmission = FaxTransmission.objects.get(order=fax_order)
    assert (transmission.status, transmission.attempts, transmission.to_number) == (
        FaxTransmission.Status.SENT, 1, "+15125550199",
    )  # fmt: skip
    assert transmission.pharmacy == fax_pharmacy and transmission.requested_by == physician
    assert transmission.sent_at is not None and transmission.page_count >= 1
    # The backend stored the PDF it was handed in the fax spool of private storage.
    spooled = fax_storage / transmission.provider_id
    assert transmission.provider_id.startswith("fax-spool/") and spooled.is_file()
    assert spooled.read_bytes().startswith(b"%PDF")
    assert transmission.document.read() == spooled.read_bytes()
    assert __import__("hashlib").sha256(spooled.read_bytes()).hexdigest() == transmission.document_sha256

    doctor.reload()
    fax_status = doctor.get_by_role("region", name=re.compile("Fax to Hill Country Apothecary"))
    fax_status.get_by_text("Fax sent").first.wait_for()
    assert "Fax to Hill Country Apothecary: Fax sent" in fax_status.get_by_role("heading").inner_text()
    assert "receives orders by fax at (512) 555-0199" in fax_status.inner_text()
    assert_accessible(doctor, "order faxed to its pharmacy")
    # The same PDF is offered to the physician as a download.
    download = doctor.request.get(f"{base}/clinic/orders/{fax_order.pk}/prescription.pdf")
    assert download.ok and download.body().startswith(b"%PDF")
    # Nothing went to a pharmacy's staff by email for the fax pharmacy: it has none in the portal.
    deliver_due()
    assert [m for m in mail.outbox if "pharmacy workspace" in m.subject] == []

    # 2. The portal pharmacy: signing sends no fax; the pharmacist gets a PHI-free email.
    sign_in_the_browser(doctor, base, portal_order)
    doctor.get_by_text(f"Signed and sent to {membership.pharmacy.name}.", exact=False).wait_for()
    assert not FaxTransmission.objects.filter(order=portal_order).exists()
    portal_order.refresh_from_db()
    assert portal_order.status == "sent" and portal_order.pharmacy == membership.pharmacy

    deliver_due()
    [email] = [m for m in mail.outbox if m.to == ["portal.pharmacist@example.com"]]
    assert email.subject == "A new order is waiting in your pharmacy workspace"
    html = email.alternatives[0][0] if email.alternatives else ""
    text = f"{email.subject}\n{email.body}\n{html}"
    doses = {f"{segment['dose_mg']} mg" for segment in portal_order.dose_segments}
    forbidden = {
        portal_order.patient_name, "Delphine", "Achterberg", "altrexone", "ALTREXONE", "LDN", " mg", "mL",
        portal_order.number, portal_order.sig, portal_order.indication_code, *doses,
    }  # fmt: skip
    assert sorted(word for word in forbidden if word and word in text) == []
    assert re.search(r"https?://\S+/pharmacy/", email.body), email.body
    assert "/pharmacy/" in html

    # The link leads the pharmacist to the order in the workspace.
    pharmacist = new_page()
    sign_in(pharmacist, base, "portal.pharmacist@example.com", TEST_PASSWORD, totp_secret=TEST_TOTP_SECRET)
    pharmacist.goto(f"{base}/pharmacy/")
    pharmacist.get_by_role("link", name=portal_order.number).first.wait_for()
    assert pharmacist.get_by_role("link", name=fax_order.number).count() == 0
