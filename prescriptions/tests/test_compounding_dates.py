"""The compounding record's dates against the rest of the order (docs/domain.md "Verification and
the compounding record"): a preparation past its beyond-use date is not shipped, by any path, and
compounding is not recorded as done before the pharmacist's verification."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.tests.signin import sign_in
from prescriptions.models import CompoundingRecord, PrescriptionOrder
from prescriptions.orders import services as order_services
from prescriptions.tests.factories import advance, record_compounding

UPS = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}


@pytest.fixture
def in_review(sent_order, pharmacy_user):
    return advance(sent_order, pharmacy_user, "received", "in_review")


@pytest.mark.django_db
def test_a_preparation_past_its_beyond_use_date_is_not_shipped(in_review, pharmacy_user):
    order = advance(in_review, pharmacy_user, "compounding")
    today = timezone.localdate()
    record_compounding(order, pharmacy_user, compounded_on=today, beyond_use_date=today + dt.timedelta(days=30))
    with time_machine.travel(timezone.now() + dt.timedelta(days=31), tick=False):
        with pytest.raises(ValidationError, match="beyond-use date"):
            order_services.order_transition(order=order, actor=pharmacy_user, to="shipped", **UPS)
    assert PrescriptionOrder.objects.get(pk=order.pk).status == "compounding"


@pytest.mark.django_db
def test_the_generic_action_endpoint_does_not_ship_an_expired_preparation(client, in_review, pharmacy_user):
    order = advance(in_review, pharmacy_user, "compounding")
    today = timezone.localdate()
    record_compounding(order, pharmacy_user, compounded_on=today, beyond_use_date=today + dt.timedelta(days=10))
    with time_machine.travel(timezone.now() + dt.timedelta(days=11), tick=False):
        sign_in(client, pharmacy_user)
        response = client.post(f"/pharmacy/orders/{order.pk}/action/", {"to": "shipped", **UPS})
    assert response.status_code in (200, 302)
    assert PrescriptionOrder.objects.get(pk=order.pk).status == "compounding"


@pytest.mark.django_db
def test_a_correction_with_a_good_beyond_use_date_lets_it_ship(in_review, pharmacy_user):
    order = advance(in_review, pharmacy_user, "compounding")
    today = timezone.localdate()
    record_compounding(order, pharmacy_user, compounded_on=today, beyond_use_date=today + dt.timedelta(days=5))
    with time_machine.travel(timezone.now() + dt.timedelta(days=6), tick=False):
        later = timezone.localdate()
        record_compounding(
            order,
            pharmacy_user,
            compounded_on=later,
            beyond_use_date=later + dt.timedelta(days=60),
            correction_reason="Compounded again: the first batch went out of date",
        )
        shipped = order_services.order_transition(order=order, actor=pharmacy_user, to="shipped", **UPS)
    assert shipped.status == "shipped"


@pytest.mark.django_db
def test_compounding_is_not_recorded_before_the_verification(in_review, pharmacy_user):
    signed_day = timezone.localdate()
    with time_machine.travel(timezone.now() + dt.timedelta(days=3), tick=False):
        order = advance(in_review, pharmacy_user, "compounding")
        with pytest.raises(ValidationError) as refused:
            record_compounding(order, pharmacy_user, compounded_on=signed_day)
        assert "verif" in refused.value.message_dict["compounded_on"][0]
        assert not CompoundingRecord.objects.exists()
        record = record_compounding(order, pharmacy_user, compounded_on=timezone.localdate())
    assert record.compounded_on == signed_day + dt.timedelta(days=3)
