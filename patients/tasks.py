"""Celery tasks of the patients app: thin, no arguments, no health data in logs."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from patients.safety.coverage import coverage_check

logger = logging.getLogger(__name__)


@shared_task(
    name="patients.tasks.check_coverage",
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    max_retries=5,
    acks_late=True,
    ignore_result=True,
)
def check_coverage() -> dict[str, int]:
    """Run by beat every few hours: flag visits whose physician's license lapses before them, and
    tell practice admins (once a day) when patients have no licensed physician."""
    result = coverage_check()
    logger.info("coverage: %(visits_flagged)d visit(s) flagged, %(patients_uncovered)d patient(s) uncovered", result)
    return result
