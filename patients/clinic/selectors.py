"""The physician's work list: one list of everything waiting for them on the clinic home, ordered
by urgency and then by how long it has waited (docs/architecture.md "Apps and layers").

Safety items, intakes to review and patients' messages are read here. Pharmacy questions, failed
faxes, drafts to sign and refill requests live in ``prescriptions``, which imports this app and not
the other way round, so it registers a source (:func:`register_work_item_source`) in
``AppConfig.ready``: ``fn(physician, *, limit) -> [WorkItem, …]``, plain values, at most
``limit + 1`` of each kind (one more than shown tells the page that more wait). Every source is
scoped to the physician's licensed states and reads each kind in one query, so the page's query
count does not grow with the list."""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from django.urls import reverse

from patients.messaging.selectors import threads_awaiting_care_team
from patients.models import CareItem
from patients.safety.selectors import open_care_items_for
from patients.selectors import review_queue_for
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
