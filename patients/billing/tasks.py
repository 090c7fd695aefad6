"""Workers that render and issue billing documents: the kind and the id in the arguments, no
health data in logs."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from patients.billing import pdf, selectors

# A document still without its PDF this long after it was created lost its render task.
STALLED_AFTER = dt.timedelta(minutes=2)


@shared_task(
    name="patients.billing.render_document",
    autoretry_for=(OperationalError, OSError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
    acks_late=True,
    ignore_result=True,
)
def render_document(kind: str, pk: int) -> str:
    if kind not in selectors.DOCUMENT_KINDS:
        raise ValueError(f"unknown billing document {kind!r}")
    return pdf.document_issue(kind=kind, pk=pk)


@shared_task(name="patients.billing.resume", ignore_result=True)
def resume() -> int:
    """Beat: re-enqueue the documents whose render task was lost; issuing is idempotent, so a late
    duplicate does nothing."""
    stalled = selectors.documents_stalled(older_than=STALLED_AFTER)
    for kind, pk in stalled:
        render_document.delay(kind, pk)
    return len(stalled)
