"""What the page tests of plans and orders share: every page with the roles that may use it, and
helpers for data-size tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from prescriptions.models import OrderEvent, PrescriptionOrder

# (method, path template, roles that may use it). {patient} = Patient pk, {order} = order pk,
# {refill} = refill request pk.
VIEWS = [
    ("get", "/clinic/patients/{patient}/plan/new/", {"physician"}),
    ("post", "/clinic/patients/{patient}/plan/new/", {"physician"}),
    ("get", "/clinic/patients/{patient}/orders/new/", {"physician"}),
    ("post", "/clinic/patients/{patient}/orders/new/", {"physician"}),
    ("get", "/clinic/orders/", {"physician"}),
    ("get", "/clinic/orders/{order}/", {"physician"}),
    ("get", "/clinic/orders/{order}/edit/", {"physician"}),
    ("post", "/clinic/orders/{order}/sign/", {"physician"}),
    ("post", "/clinic/orders/{order}/send/", {"physician"}),
    ("post", "/clinic/orders/{order}/cancel/", {"physician"}),
    ("post", "/clinic/orders/{order}/answer/", {"physician"}),
    ("post", "/clinic/refills/{refill}/approve/", {"physician"}),
    ("post", "/clinic/refills/{refill}/decline/", {"physician"}),
    ("get", "/pharmacy/", {"pharmacy"}),
    ("get", "/pharmacy/orders/{order}/", {"pharmacy"}),
    ("post", "/pharmacy/orders/{order}/action/", {"pharmacy"}),
    ("get", "/patient/orders/", {"patient"}),
    ("get", "/patient/orders/{order}/", {"patient"}),
    ("post", "/patient/orders/{order}/refill/", {"patient"}),
    ("get", "/patient/schedule/", {"patient"}),
    ("get", "/fhir/MedicationRequest/{order}", {"physician", "pharmacy"}),
]


def fill(path, approved_patient, order, refill):
    return path.format(patient=approved_patient.pk, order=order.pk, refill=refill.pk)


SCOPED = [(m, p, a) for m, p, a in VIEWS if "{" in p]


def clone_orders(order, count):
    """Copies of a signed order (with its events), quickly, for data-size tests."""
    order = PrescriptionOrder.objects.get(pk=order.pk)
    events = list(OrderEvent.objects.filter(order=order))
    copies = []
    for _ in range(count):
        order.pk = order.id = None
        copies.append(PrescriptionOrder(**{f.attname: getattr(order, f.attname) for f in order._meta.concrete_fields}))
    created = PrescriptionOrder.objects.bulk_create(copies)
    OrderEvent.objects.bulk_create(
        OrderEvent(
            order=c, actor_id=e.actor_id, actor_role=e.actor_role, from_status=e.from_status, to_status=e.to_status
        )
        for c in created
        for e in events
    )
    return created


def count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)
