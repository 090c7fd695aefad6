"""The dose changes of a patient's plan, as the follow-up rules read them
(``patients.followups.rules``; registered in ``PrescriptionsConfig.ready``)."""

from __future__ import annotations

import datetime as dt

from patients.followups.rules import DoseChange
from patients.models import Patient
from prescriptions.dosing import NO_DOSE, dose_changes, plan_in_effect_on
from prescriptions.plans.selectors import plan_versions_of


def plan_dose_changes(patient: Patient) -> list[DoseChange]:
    """Every day the patient's dose changes, past and scheduled, each with the follow-up interval of
    the plan version in effect that day. A new version that keeps the dose (a switch to morning)
    is no change; resuming after a hold or stop is one."""
    plans = plan_versions_of(patient)
    # A hold or stop owes no visit of its own (the physician decided it); taking LDN again does.
    changes = [(day, mg) for day, mg in dose_changes(plans, until=dt.date.max) if mg != NO_DOSE]
    return [
        DoseChange(day, plan_in_effect_on(plans, day).followup_due_in_days, is_start=index == 0)
        for index, (day, _mg) in enumerate(changes)
    ]
