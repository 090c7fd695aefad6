"""Two people acting on one order at the same moment (PostgreSQL row locks, real connections)."""

import importlib
import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from portal.models import ServiceState
from prescriptions.models import OrderEvent, PrescriptionOrder
from prescriptions.orders import services as order_services
from prescriptions.tests.factories import advance, verification_on_file


@pytest.fixture(autouse=True)
def launch_states(transactional_db):
    """Transactional tests run after others have flushed the database, which removes the rows
    the data migrations seeded: put back the service states these tests need. (Restoring them
    with serialized_rollback clashes with the content types Django re-creates after a flush.)"""
    seeded = importlib.import_module("portal.migrations.0002_seed_service_states")
    for code, name, zone in seeded.LAUNCH_STATES:
        ServiceState.objects.get_or_create(code=code, defaults={"name": name, "timezone": zone, "active": True})


@pytest.fixture
def slow_scope_check(monkeypatch):
    """Hold the row lock a little longer, so that the second actor really arrives while the first
    is still inside its transaction (without the lock both would read the same old status)."""
    original = order_services._require_actor_scope

    def slow(order, actor):
        original(order, actor)
        time.sleep(0.3)

    monkeypatch.setattr(order_services, "_require_actor_scope", slow)


def race(*actions):
    """Run each (actor, to, note) in its own thread with its own database connection, released
    together; return what each one got."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index, order_pk, actor, to, note):
        try:
            barrier.wait()
            order_services.order_transition(order=PrescriptionOrder(pk=order_pk), actor=actor, to=to, note=note)
            results[index] = "ok"
        except (ValidationError, PermissionDenied) as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks (SELECT … FOR UPDATE) need PostgreSQL"
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_compounding_and_cancelling_at_once_cannot_both_win(sent_order, physician, pharmacy_user, slow_scope_check):
    order = advance(sent_order, pharmacy_user, "received", "in_review")
    verification_on_file(order, pharmacy_user)
    events_before = OrderEvent.objects.filter(order=order).count()
    results = race(
        (order.pk, pharmacy_user, "compounding", ""),
        (order.pk, physician, "cancelled", "Patient moved"),
    )
    assert sorted(r == "ok" for r in results) == [False, True]
    loser = next(r for r in results if r != "ok")
    assert "cannot become" in loser.messages[0]
    final = PrescriptionOrder.objects.get(pk=order.pk)
    events = list(OrderEvent.objects.filter(order=order).order_by("id"))
    assert len(events) == events_before + 1
    assert events[-1].from_status == "in_review" and events[-1].to_status == final.status
    assert final.status in ("compounding", "cancelled")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_action_is_recorded_once(sent_order, pharmacy_user, slow_scope_check):
    results = race((sent_order.pk, pharmacy_user, "received", ""), (sent_order.pk, pharmacy_user, "received", ""))
    assert sorted(r == "ok" for r in results) == [False, True]
    assert OrderEvent.objects.filter(order=sent_order, to_status="received").count() == 1
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "received"
