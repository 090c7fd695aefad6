"""Secure messaging between a patient and the care team (the physicians licensed in the patient's
state, docs/domain.md "Roles and access"). Messages are never edited or deleted: a correction is a new message."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone

from patients.models.record import Patient


class Thread(models.Model):
    """A conversation about one subject between a patient and their care team.

    ``patient_notified_at`` and ``care_team_notified_at`` hold when each side was last emailed
    about this thread; a conditional UPDATE on them keeps notifications to one per side per
    quarter hour, even when two messages arrive at once."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="threads")
    subject = models.CharField(max_length=150)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)
    patient_notified_at = models.DateTimeField(null=True, blank=True)
    care_team_notified_at = models.DateTimeField(null=True, blank=True)
    # Who on the care team answers this conversation (a coordinator triaging it, or the physician
    # it was handed to); unassigned threads go to the whole care team (docs/domain.md "Care team").
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_threads"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at"]
        indexes = [models.Index(fields=["patient", "-last_message_at"], name="thread_patient_recent")]

    def __str__(self) -> str:
        return f"Thread #{self.pk}"


class Message(models.Model):
    """One message. ``from_patient`` records the side that wrote it (the sender's role may change
    later; the side of a message may not). ``article_slug`` shares an education article."""

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_patient = models.BooleanField()
    body = models.TextField(max_length=5000, blank=True)
    article_slug = models.CharField(max_length=100, blank=True)
    urgent = models.BooleanField(default=False, help_text="Marked urgent by the patient: raises an urgent care item.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"], name="message_thread_time")]

    def __str__(self) -> str:
        return f"Message #{self.pk} in thread #{self.thread_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the patient's file name may itself be health information.
    suffix = PurePath(filename).suffix.lower()
    return f"messages/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A PDF, PNG or JPEG sent with a message, kept under ``PRIVATE_MEDIA_ROOT`` (outside the web
    root) and served only through a view that checks who may see the thread."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class ThreadReadMarker(models.Model):
    """How far one person has read a thread; messages from the other side after it are unread."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="uniq_thread_read_marker")]

    def __str__(self) -> str:
        return f"user {self.user_id} read thread {self.thread_id} to {self.last_read_at:%Y-%m-%d %H:%M}"
