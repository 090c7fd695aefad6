"""The care coordinator's demo work: conversations handed to people, and a recall call. Run by
``prescriptions.demo.seed`` after the plans exist (follow-ups derive from them)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from patients.models import FollowUp, RecallContact, Thread
from portal.demo import demo_email
from portal.models import User


def seed_care_team() -> None:
    coordinator = User.objects.filter(email=demo_email("nora.quinn")).first()
    rivera = User.objects.filter(email=demo_email("dr.rivera")).first()
    if coordinator is None or rivera is None:
        return
    now = timezone.now()
    # Maria's question about dreams stays with Dr. Rivera; her receipt question with Nora. James's
    # thyroid question is not assigned: it waits in the triage list.
    for subject, person in (("Vivid dreams since starting", rivera), ("Receipt for my visit", coordinator)):
        Thread.objects.filter(subject=subject, assigned_to__isnull=True).update(assigned_to=person, assigned_at=now)
    for followup in FollowUp.objects.filter(status=FollowUp.Status.PENDING).select_related("patient"):
        if not RecallContact.objects.filter(followup=followup).exists():
            RecallContact.objects.create(
                followup=followup,
                patient=followup.patient,
                by=coordinator,
                outcome=RecallContact.Outcome.NO_ANSWER,
                note="Will try again after 3 pm.",
                at=now - dt.timedelta(hours=5),
            )
