"""Prepared reads (portal/prepared.py): every registered read gives what its plain queryset gives,
its compiled SQL does not depend on when it was built, and misuse is refused."""

from __future__ import annotations

import datetime as dt
import itertools
from importlib import import_module

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.models import BigIntegerField, DateTimeField
from django.db.models.base import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patients.models import Attachment, CheckIn, Message, Patient, Thread
from portal.models import User
from portal.prepared import REGISTRY, Param, PreparedQuery, RowCount, _Compiled, attach_prefetched
from prescriptions.models import Pharmacy, PrescriptionOrder, RefillRequest

# The URL map imports every page's views, and with them every prepared read.
import_module("portal.urls")


def _snapshot(value, seen=()):
    """What a row carries: a model's loaded columns and the related objects loaded with it."""
    if isinstance(value, Model):
        if id(value) in seen:
            return ("back to", type(value).__name__, value.pk)
        seen = (*seen, id(value))
        columns = {k: v for k, v in value.__dict__.items() if not k.startswith("_")}
        related = {name: _snapshot(obj, seen) for name, obj in value._state.fields_cache.items()}
        return (type(value).__name__, columns, related)
    if isinstance(value, list | tuple):
        return [_snapshot(v, seen) for v in value]
    return value


def _candidates(name: str) -> list:
    """Values to try for a placeholder, by its name."""
    now = timezone.now()
    return {
        "user_id": list(User.objects.values_list("pk", flat=True)) + [0],
        "patient_id": list(Patient.objects.values_list("pk", flat=True)) + [0],
        # "pk" is a patient's or a thread's id, by the read.
        "pk": sorted({*Patient.objects.values_list("pk", flat=True), *Thread.objects.values_list("pk", flat=True), 0}),
        "thread_id": list(Thread.objects.values_list("pk", flat=True)) + [0],
        "pharmacy_id": list(Pharmacy.objects.values_list("pk", flat=True)) + [0],
        "physician_id": list(User.objects.filter(role=User.Role.PHYSICIAN).values_list("pk", flat=True)) + [0],
        "now": [now, now - dt.timedelta(days=60), now + dt.timedelta(days=60)],
        "day": [timezone.localdate(), timezone.localdate() + dt.timedelta(days=800)],
    }[name]


def _names(query: PreparedQuery) -> list[str]:
    sql, params = query.compiled_sql()
    return sorted({p.name for p in params if hasattr(p, "field")})


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    # One message from the care team that its patient has not read yet.
    thread = Thread.objects.order_by("pk").first()
    # And a refill request waiting for a physician.
    order = PrescriptionOrder.objects.filter(signed_at__isnull=False).order_by("pk").first()
    RefillRequest.objects.create(order=order, patient=order.patient)
    message = Message.objects.create(
        thread=thread, sender=User.objects.filter(role="physician").first(), from_patient=False, body="Unread."
    )
    Attachment.objects.create(
        message=message,
        file=SimpleUploadedFile("note.txt", b"x"),
        original_name="note.txt",
        content_type="text/plain",
        size=1,
    )


def test_the_hot_reads_are_registered():
    assert len(REGISTRY) >= 8


@pytest.mark.parametrize("query", REGISTRY, ids=repr)
def test_each_read_gives_what_its_plain_queryset_gives(demo, query):
    names = _names(query)
    tried = 0
    non_empty = 0
    for combo in itertools.product(*(_candidates(n) for n in names)):
        values = dict(zip(names, combo, strict=True))
        prepared = query.all(**values)
        plain = list(query.queryset(**values))
        assert _snapshot(prepared) == _snapshot(plain), values
        tried += 1
        non_empty += bool(plain and plain != [0])
    assert tried and non_empty, "the demo data should give this read something to return"


@pytest.mark.parametrize("query", REGISTRY, ids=repr)
def test_each_read_compiles_the_same_whenever_it_is_built(query):
    """A build that read the clock (or anything else per request) would freeze that value into
    every later request; building at two moments finds it."""
    with time_machine.travel(dt.datetime(2026, 3, 8, 9, 0, tzinfo=dt.UTC), tick=False):
        first = _Compiled(query.prepared_queryset(), "default")
    with time_machine.travel(dt.datetime(2027, 11, 1, 23, 30, tzinfo=dt.UTC), tick=False):
        second = _Compiled(query.prepared_queryset(), "default")
    assert first.sql == second.sql
    assert [repr(p) for p in first.params] == [repr(p) for p in second.params]


def test_a_read_runs_one_query_and_refuses_missing_or_unknown_values(patient):
    query = PreparedQuery(lambda p: Patient.objects.filter(user_id=p("user_id", BigIntegerField())).order_by("pk")[:1])
    REGISTRY.remove(query)
    with CaptureQueriesContext(connection) as queries:
        found = query.first(user_id=patient.user_id)
    assert len(queries) == 1
    assert found.pk == patient.pk
    assert query.first(user_id=2**63) is None  # beyond any id: no row, as with the ORM
    with pytest.raises(TypeError, match="user_id"):
        query.first()
    with pytest.raises(TypeError, match="user_id"):
        query.first(user_id=1, other=2)


def test_values_are_converted_by_their_field_and_rows_by_the_columns(patient):
    CheckIn.objects.create(patient=patient, kind="weekly", pain=4, enjoyment=4, activity=4)
    query = PreparedQuery(
        lambda p: CheckIn.objects.filter(recorded_at__lte=p("now", DateTimeField())).values_list("recorded_at", "pain")
    )
    REGISTRY.remove(query)
    (recorded_at, pain), *_ = query.all(now=timezone.now() + dt.timedelta(minutes=1))
    assert isinstance(recorded_at, dt.datetime) and recorded_at.tzinfo is not None and pain == 4
    assert query.all(now=timezone.now() - dt.timedelta(days=1)) == []


def test_row_count_counts_without_grouping(patient):
    for pain in (3, 5, 7):
        CheckIn.objects.create(patient=patient, kind="weekly", pain=pain, enjoyment=4, activity=4)
    query = PreparedQuery(
        lambda p: (
            CheckIn.objects.filter(patient_id=p("patient_id", BigIntegerField()))
            .order_by()
            .values_list(RowCount(), flat=True)
        )
    )
    REGISTRY.remove(query)
    assert query.first(patient_id=patient.pk) == 3
    assert query.first(patient_id=0) == 0


def test_prefetching_and_other_iterables_are_refused(patient):
    prefetching = PreparedQuery(
        lambda p: Patient.objects.filter(pk=p("id", BigIntegerField())).prefetch_related("user")
    )
    as_dicts = PreparedQuery(lambda p: Patient.objects.filter(pk=p("id", BigIntegerField())).values("pk"))
    REGISTRY.remove(prefetching)
    REGISTRY.remove(as_dicts)
    with pytest.raises(TypeError, match="prefetch"):
        prefetching.all(id=patient.pk)
    with pytest.raises(TypeError, match="values_list"):
        as_dicts.all(id=patient.pk)


def test_attached_related_objects_are_read_without_a_query(patient, other_patient):
    checkins = [
        CheckIn.objects.create(patient=patient, kind="weekly", pain=2, enjoyment=2, activity=2),
        CheckIn.objects.create(patient=patient, kind="weekly", pain=3, enjoyment=3, activity=3),
    ]
    patients = [patient, other_patient]
    attach_prefetched(patients, "checkins", checkins, key="patient_id")
    with CaptureQueriesContext(connection) as queries:
        assert list(patient.checkins.all()) == checkins
        assert list(other_patient.checkins.all()) == []
    assert len(queries) == 0


def test_param_repr_names_the_value():
    assert repr(Param("patient_id", BigIntegerField())) == "Param('patient_id')"


def test_prepared_rows_page_like_a_queryset(patient):
    for pain in range(1, 8):
        CheckIn.objects.create(patient=patient, kind="weekly", pain=pain, enjoyment=4, activity=4)
    query = PreparedQuery(
        lambda p: CheckIn.objects.filter(patient_id=p("patient_id", BigIntegerField())).order_by("pain", "pk")
    )
    REGISTRY.remove(query)
    rows, plain = query.rows(patient_id=patient.pk), query.queryset(patient_id=patient.pk)
    for start, stop in [(0, 3), (3, 6), (6, 9), (10, 12), (2, None), (0, 0)]:
        assert [c.pain for c in rows[start:stop]] == [c.pain for c in plain[start:stop]], (start, stop)
    assert [c.pain for c in rows] == list(range(1, 8))
    with pytest.raises(TypeError):
        rows[1]
    with pytest.raises(ValueError):
        rows[-2:]
