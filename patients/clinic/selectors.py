"""The physician's work list: one list of everything waiting for them on the clinic home, ordered
by urgency and then by how long it has waited (docs/architecture.md "Apps and layers").

Safety items, intakes to review and patients' messages are read here. Pharmacy questions, failed
faxes, drafts to sign and refill requests live in ``prescriptions``, which imports this app and not
the other way round, so it registers a source (:func:`register_work_item_source`) in
``AppConfig.ready``: ``fn(physician, *, limit) -> [WorkItem, …]``, plain values, at most
``limit + 1`` of each kind (one more than shown tells the page that more wait). Every source is
scoped to the physician's licensed states and reads each kind in one query, so the page's query
count does not grow with the list.

The chart's short lists beside the PEG chart (visits, signed notes, conversations) are read here
too, one query each."""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import BooleanField, Exists, F, OuterRef, QuerySet, Value
from django.urls import reverse

from patients.messaging.selectors import thread_list_for, threads_awaiting_care_team
from patients.models import Appointment, CareItem, Patient, Thread, VisitNote
from patients.safety.selectors import open_care_items_for
from patients.selectors import review_queue_for
from patients.visitnotes.selectors import visit_note_appointments_for
from portal.models import User


class WorkKind(enum.IntEnum):
    """What waits; the value is its urgency rank (lower comes first)."""

    URGENT = 0
    SAFETY_REVIEW = 1
    PHARMACY_QUESTION = 2
    FAILED_FAX = 3
    DRAFT = 4
    INTAKE = 5
    REFILL = 6
    MESSAGE = 7


class KindText(NamedTuple):
    label: str  # the status badge's words (never colour alone)
    tone: str  # the badge's Bootstrap colour: text-bg-<tone>
    action: str  # the link's words
    full_list: str  # the URL name of the page listing every item of the kind ("" when none)


ORDERS = "prescriptions:clinic_orders"  # a URL name: patients never imports prescriptions
KINDS: dict[WorkKind, KindText] = {
    WorkKind.URGENT: KindText("Urgent", "danger", "Open the item", ""),
    WorkKind.SAFETY_REVIEW: KindText("Safety review", "warning", "Open the item", ""),
    WorkKind.PHARMACY_QUESTION: KindText(
        "Pharmacy question", "warning", "Answer the pharmacy", "prescriptions:clinic_orders"
    ),  # fmt: skip
    WorkKind.FAILED_FAX: KindText("Fax failed", "danger", "Open the order", "prescriptions:clinic_orders"),
    WorkKind.DRAFT: KindText("Draft to sign", "secondary", "Check and sign", "prescriptions:clinic_orders"),
    WorkKind.INTAKE: KindText("Intake to review", "info", "Review the intake", "patients:review_queue"),
    WorkKind.REFILL: KindText("Refill request", "info", "Decide on the refill", "prescriptions:clinic_orders"),
    WorkKind.MESSAGE: KindText("Message", "primary", "Read and reply", "patients:clinic_message_list"),
}


@dataclass(frozen=True)
class WorkItem:
    """One row of the work list, as plain values."""

    kind: WorkKind
    patient_id: int
    patient_name: str
    text: str  # what is waiting, in plain words
    since: dt.datetime  # waiting since
    url: str  # opens the thing itself

    @property
    def rank(self) -> int:
        return int(self.kind)

    @property
    def label(self) -> str:
        return KINDS[self.kind].label

    @property
    def tone(self) -> str:
        return KINDS[self.kind].tone

    @property
    def action(self) -> str:
        return KINDS[self.kind].action


class MoreWaiting(NamedTuple):
    """A kind with more items than the list shows, and the page that lists them all."""

    label: str
    url: str


@dataclass(frozen=True)
class WorkList:
    items: list[WorkItem]
    more: list[MoreWaiting]


WorkItemSource = Callable[..., list[WorkItem]]
_sources: list[WorkItemSource] = []


def register_work_item_source(source: WorkItemSource) -> None:
    """Called once by ``prescriptions`` in ``AppConfig.ready`` (idempotent)."""
    if source not in _sources:
        _sources.append(source)


def _reasons_in_words(reasons: str) -> str:
    return " · ".join(line.strip() for line in reasons.splitlines() if line.strip())


def _safety_items(physician: User, limit: int) -> list[WorkItem]:
    """Open care items, the longest waiting first: urgent ones, then review ones (a query each)."""
    items = open_care_items_for(physician).select_related(None).select_related("patient__user")
    kinds = {CareItem.Priority.URGENT: WorkKind.URGENT, CareItem.Priority.REVIEW: WorkKind.SAFETY_REVIEW}
    return [
        WorkItem(
            kind=kind,
            patient_id=item.patient_id,
            patient_name=item.patient.full_name,
            text=_reasons_in_words(item.reasons) or "A check-in or message needs your attention.",
            since=item.created_at,
            url=reverse("prescriptions:care_item", args=[item.pk]),
        )
        for priority, kind in kinds.items()
        for item in items.filter(priority=priority)[: limit + 1]
    ]


def _intakes(physician: User, limit: int) -> list[WorkItem]:
    intakes = review_queue_for(physician).select_related(None).select_related("patient__user")
    return [
        WorkItem(
            kind=WorkKind.INTAKE,
            patient_id=intake.patient_id,
            patient_name=intake.patient.full_name,
            text=f"Intake submitted. Screening: {intake.get_screening_outcome_display()}."
            if intake.screening_outcome
            else "Intake submitted.",
            since=intake.submitted_at,
            url=reverse("patients:chart", args=[intake.patient_id]),
        )
        for intake in intakes[: limit + 1]
        if intake.submitted_at
    ]


def _messages(physician: User, limit: int) -> list[WorkItem]:
    threads = threads_awaiting_care_team(physician)
    return [
        WorkItem(
            kind=WorkKind.MESSAGE,
            patient_id=thread.patient_id,
            patient_name=thread.patient.full_name,
            text=f"Wrote about “{thread.subject}” and is waiting for an answer.",
            since=thread.waiting_since,
            url=reverse("patients:clinic_thread", args=[thread.pk]),
        )
        for thread in threads[: limit + 1]
    ]


def work_list_for(physician: User, *, limit: int = 50) -> WorkList:
    """Everything waiting for ``physician`` in their licensed states, at most ``limit`` of each
    kind: by urgency rank, then the longest waiting first. Kinds with more than ``limit`` items are
    named in ``more`` with the page listing them all."""
    items = _safety_items(physician, limit) + _intakes(physician, limit) + _messages(physician, limit)
    for source in _sources:
        items += source(physician, limit=limit)
    items.sort(key=lambda item: (item.rank, item.since))
    shown: Counter[WorkKind] = Counter()
    kept: list[WorkItem] = []
    more: dict[WorkKind, MoreWaiting] = {}
    for item in items:
        if shown[item.kind] < limit:
            shown[item.kind] += 1
            kept.append(item)
        elif item.kind not in more:
            text = KINDS[item.kind]
            more[item.kind] = MoreWaiting(text.label, reverse(text.full_list) if text.full_list else "")
    return WorkList(items=kept, more=list(more.values()))


# --- the chart's side lists: visits, signed notes, conversations -----------------------------------
# Each is one query, however long the patient's record; the chart shows the latest few and the
# pages that list them all are a click away.
CHART_LIST_LENGTH = 5


def chart_visits_for(user: User, patient: Patient, *, limit: int = CHART_LIST_LENGTH) -> list[Appointment]:
    """The latest visits of ``patient`` (a patient already in ``user``'s scope: the chart's
    selector checked), any physician's, newest first. Each carries ``note_signed_at`` and
    ``may_open_note``: whether ``user`` may open its visit note page, by the visit notes' own rule
    (patients.visitnotes.selectors.visit_note_appointments_for)."""
    if user.role == User.Role.PHYSICIAN:
        openable = Exists(visit_note_appointments_for(user).filter(pk=OuterRef("pk")))
    else:
        openable = Value(False, output_field=BooleanField())
    visits = (
        Appointment.objects.filter(patient=patient)
        .select_related("physician", "visit_type")
        .only(
            *("patient_id", "starts_at", "ends_at", "status", "physician_id", "visit_type_id"),
            *("physician__first_name", "physician__last_name", "physician__email", "physician__role"),
            "visit_type__name",
        )
        .annotate(note_signed_at=F("visit_note__signed_at"), may_open_note=openable)
        .order_by("-starts_at", "-pk")
    )
    return list(visits[:limit])


def chart_signed_notes_for(user: User, patient: Patient, *, limit: int = CHART_LIST_LENGTH) -> list[VisitNote]:
    """The latest signed visit notes of ``patient`` for a physician (any physician of the
    patient's care team may read a signed note); none for anyone else, who cannot open them. Only
    the columns the list shows are read: the note's text stays on its own page."""
    if user.role != User.Role.PHYSICIAN:
        return []
    notes = (
        VisitNote.objects.filter(appointment__patient=patient, signed_at__isnull=False)
        .select_related("appointment", "signed_by")
        .only(
            *("appointment_id", "signed_at", "signed_by_id", "appointment__starts_at"),
            *("signed_by__first_name", "signed_by__last_name", "signed_by__email", "signed_by__role"),
        )
        .order_by("-signed_at", "-pk")
    )
    return list(notes[:limit])


def chart_threads_for(user: User, patient: Patient, *, limit: int = CHART_LIST_LENGTH) -> QuerySet[Thread]:
    """The conversations of ``patient`` that ``user`` may open, the latest message first, each
    with ``unread_count`` (patients.messaging.selectors.thread_list_for)."""
    return thread_list_for(user).filter(patient=patient).order_by("-last_message_at", "-pk")[:limit]
