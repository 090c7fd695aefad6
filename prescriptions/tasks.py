"""Celery tasks of the prescriptions app: thin, ids only, no health data in arguments or logs."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

# The fax workers live with their capability; importing them here registers them with the worker.
from prescriptions.fax.tasks import fax_transmission_poll, fax_transmission_send, fax_transmissions_resume
from prescriptions.plans import selectors as plan_selectors
from prescriptions.plans import services as plan_services

logger = logging.getLogger(__name__)

__all__ = ["fax_transmission_poll", "fax_transmission_send", "fax_transmissions_resume", "refresh_treatment_phases"]


@shared_task(
    name="prescriptions.tasks.refresh_treatment_phases",
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_backoff_max=1800,
    max_retries=5,
    acks_late=True,
    ignore_result=True,
)
def refresh_treatment_phases() -> int:
    """Run daily by beat: patients whose current plan has reached its maintenance step become
    "stable" (the phase the education panel and the 90-day follow-up cadence go by)."""
    changed = 0
    for plan in plan_selectors.plans_reaching_maintenance():
        if plan_services.plan_mark_maintenance_reached(plan_id=plan.pk):
            changed += 1
    logger.info("treatment phases refreshed: %d patient(s) reached maintenance", changed)
    return changed
