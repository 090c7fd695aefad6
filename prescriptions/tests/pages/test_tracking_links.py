"""Carrier tracking numbers link to the carrier's own tracking page."""

import pytest

from portal.tests.signin import sign_in
from prescriptions.models import PrescriptionOrder
from prescriptions.orders.presenters import tracking_url


@pytest.mark.parametrize(
    ("carrier", "number", "url"),
    [
        (
            "USPS",
            "9400100000000000000001",
            "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000001",
        ),
        ("U.S.P.S.", " 94001 ", "https://tools.usps.com/go/TrackConfirmAction?tLabels=94001"),
        ("United States Postal Service", "94001", "https://tools.usps.com/go/TrackConfirmAction?tLabels=94001"),
        ("UPS", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784"),
        ("ups ground", "1Z9", "https://www.ups.com/track?tracknum=1Z9"),
        ("FedEx", "123456789012", "https://www.fedex.com/fedextrack/?trknbr=123456789012"),
        ("Federal Express", "1234", "https://www.fedex.com/fedextrack/?trknbr=1234"),
        (
            "DHL",
            "1234567890",
            "https://www.dhl.com/us-en/home/tracking/tracking-express.html?submit=1&tracking-id=1234567890",
        ),
        ("FedEx", "12 34&x=1", "https://www.fedex.com/fedextrack/?trknbr=12%2034%26x%3D1"),
        ("Upstate Couriers", "1234", ""),  # not UPS
        ("Local courier", "1234", ""),
        ("USPS", "", ""),
    ],
)
def test_tracking_url_per_carrier(carrier, number, url):
    assert tracking_url(carrier, number) == url


@pytest.mark.django_db
def test_the_patients_order_pages_link_the_tracking_number_in_a_new_tab(client, approved_patient, shipped):
    link = (
        '<a href="https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000001" target="_blank" '
        'rel="noopener noreferrer">9400100000000000000001<span class="visually-hidden"> (opens the USPS tracking '
        "page in a new tab)</span></a>"
    )
    sign_in(client, approved_patient.user)
    assert link in client.get("/patient/orders/").content.decode()
    detail = client.get(f"/patient/orders/{shipped.pk}/").content.decode()
    assert detail.count(link) == 2  # the timeline's "Shipped" step and the tracking line
    assert link in client.get("/patient/").content.decode()  # the dashboard's medication card
    PrescriptionOrder.objects.filter(pk=shipped.pk).update(carrier="Hand delivery")
    detail = client.get(f"/patient/orders/{shipped.pk}/").content.decode()
    assert "Hand delivery tracking number 9400100000000000000001" in detail and 'target="_blank"' not in detail
