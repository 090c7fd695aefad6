"""Reads of a patient's titration plans (``patient`` already scoped by patients.selectors)."""

from __future__ import annotations

from django.db.models import Prefetch

from patients.models import Appointment, Patient, TreatmentPhase
from patients.visits.selectors import appointment_list_for
from portal.access import get_scoped_or_404
from portal.models import User
from prescriptions.models import (
    PlanEvent,
    TitrationPlan,
    TitrationStep,
)

STEPS_IN_ORDER = Prefetch("steps", queryset=TitrationStep.objects.order_by("sequence"))


def plan_versions_for(patient: Patient) -> list[TitrationPlan]:
    """All versions of a patient's plan, oldest first, with their steps and events. ``patient``
    must already be a record the asking user may see (``patients.selectors.patient_get_for``)."""
    events = PlanEvent.objects.select_related("actor").order_by("-effective_on", "-created_at", "-pk")
    return list(
        TitrationPlan.objects.filter(patient=patient)
        .prefetch_related(STEPS_IN_ORDER, Prefetch("events", queryset=events))
        .order_by("version")
    )


def plan_versions_of(patient: Patient) -> list[TitrationPlan]:
    """:func:`plan_versions_for`, read once per patient object: a page's several panels (the dose
    line, the titration card, the response's baseline) share one read. A service that changes a
    plan works on a freshly read patient, so it never sees an older list."""
    if not hasattr(patient, "_plan_versions"):
        patient._plan_versions = plan_versions_for(patient)
    return patient._plan_versions


def plan_schedule_for(patient: Patient) -> list[TitrationPlan]:
    """A patient's plan versions with their steps only: enough for ``dose_on``."""
    return list(TitrationPlan.objects.filter(patient=patient).prefetch_related(STEPS_IN_ORDER).order_by("version"))


def current_plan_for(patient: Patient) -> TitrationPlan | None:
    return TitrationPlan.objects.filter(patient=patient, superseded_at__isnull=True).prefetch_related("steps").first()


def plans_reaching_maintenance() -> list[TitrationPlan]:
    """Current plans of titrating patients whose maintenance step has begun in the patient's own
    time zone."""
    plans = (
        TitrationPlan.objects.filter(superseded_at__isnull=True, patient__treatment_phase=TreatmentPhase.TITRATION)
        .exclude(starts_on_arrival=True, arrived_on__isnull=True)
        .select_related("patient__state")
        .prefetch_related("steps")
    )
    # In chunks: each chunk's steps come in one query whose id list stays far below PostgreSQL's
    # limit of 65,535 parameters, however many patients are titrating.
    return [plan for plan in plans.iterator(chunk_size=2000) if plan.maintenance_starts_on <= plan.patient.today()]


def deciding_visit_get_for(user: User, *, patient: Patient, pk: int) -> Appointment:
    """A visit of ``patient`` in ``user``'s scope (a physician's own visits) whose decision a new plan
    version may record, else 404: another patient's visit, or a colleague's, is not offered."""
    return get_scoped_or_404(appointment_list_for(user).filter(patient=patient), pk=pk)


def plan_versions_decided_at(appointment: Appointment) -> list[TitrationPlan]:
    """The plan versions written as the dose decision of ``appointment``, oldest first, with their
    steps and events. ``appointment`` must already be a visit the asking user may see."""
    events = PlanEvent.objects.order_by("effective_on", "created_at", "pk")
    return list(
        TitrationPlan.objects.filter(visit=appointment)
        .prefetch_related(STEPS_IN_ORDER, Prefetch("events", queryset=events))
        .order_by("version")
    )
