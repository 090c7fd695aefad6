"""Practice-core models: people and roles, the states the practice serves, physician licensure,
the access audit trail and the worker heartbeat."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name such as America/Chicago.")


class EmailUserManager(UserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", User.Role.STAFF)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in with an email address. ``role`` decides which part of the portal is
    theirs; admins are staff users (``is_staff``) of any role, usually ``staff``."""

    class Role(models.TextChoices):
        PATIENT = "patient", "Patient"
        PHYSICIAN = "physician", "Physician"
        PHARMACY = "pharmacy", "Pharmacy staff"
        COORDINATOR = "coordinator", "Care coordinator"
        STAFF = "staff", "Practice staff"

    username = None
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT, db_index=True)
    npi = models.CharField(
        "NPI",
        max_length=10,
        blank=True,
        help_text="National Provider Identifier (physicians only, 10 digits).",
    )
    phone = models.CharField(max_length=32, blank=True)
    # Texts go only to a number the person proved is theirs with a code sent to it; changing the
    # number clears this (README "Text messages").
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    # Set when a STOP reply turned texts off, so that START turns them on again only for someone who
    # had chosen them (docs/architecture.md "Text messages").
    texts_stopped_by_reply = models.BooleanField(default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        name = self.get_full_name()
        return f"{name} <{self.email}>" if name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = (self.email or "").lower()
        if self.npi and (not self.npi.isdigit() or len(self.npi) != 10):
            raise ValidationError({"npi": "An NPI is exactly 10 digits."})

    @property
    def display_name(self) -> str:
        if self.role == self.Role.PHYSICIAN and self.last_name:
            return f"Dr. {self.first_name} {self.last_name}".strip()
        return self.get_full_name() or self.email

    @property
    def must_use_mfa(self) -> bool:
        return self.is_staff or self.role in settings.MFA_REQUIRED_ROLES


class ServiceState(models.Model):
    """A US state the practice may serve. The list is data: admins activate or deactivate states."""

    code = models.CharField(max_length=2, unique=True, help_text="Two-letter USPS code, e.g. TX.")
    name = models.CharField(max_length=64)
    timezone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="Default time zone for people living in this state.",
    )
    active = models.BooleanField(default=True, help_text="The practice currently serves this state.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class LicenseQuerySet(models.QuerySet):
    def active_on(self, day: dt.date) -> LicenseQuerySet:
        """Licenses verified and not expired on ``day`` (the same rule as ``is_active_on``)."""
        return self.filter(verified_at__isnull=False, expires_on__gte=day)


class License(models.Model):
    """What physician and pharmacy licenses share: a number in a state, valid until a day."""

    state = models.ForeignKey(ServiceState, on_delete=models.PROTECT)
    number = models.CharField(max_length=64)
    expires_on = models.DateField()
    verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff checked the license with the state board."
    )

    objects = LicenseQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_active_on(self, day: dt.date) -> bool:
        """Active on ``day`` when verified and ``day`` is on or before the expiry date
        (docs/domain.md "Service states and licenses": the license still counts on its expiry day, not the day
        after)."""
        return self.verified_at is not None and day <= self.expires_on

    @property
    def is_active_today(self) -> bool:
        return self.is_active_on(timezone.localdate())


class PhysicianLicense(License):
    class Kind(models.TextChoices):
        FULL = "full", "Full medical license"
        FL_TELEHEALTH = "fl_telehealth", "Florida out-of-state telehealth registration"

    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="licenses",
        limit_choices_to={"role": User.Role.PHYSICIAN},
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FULL)

    history = HistoricalRecords()

    class Meta:
        ordering = ["physician", "state__code"]
        constraints = [
            models.UniqueConstraint(fields=["physician", "state", "number"], name="uniq_physician_license"),
        ]

    def __str__(self) -> str:
        return f"{self.physician.display_name} — {self.state.code} {self.number}"

    def clean(self) -> None:
        if self.kind == self.Kind.FL_TELEHEALTH and self.state_id and self.state.code != "FL":
            raise ValidationError({"kind": "A telehealth registration is a Florida license kind."})
        if self.physician_id and self.physician.role != User.Role.PHYSICIAN:
            raise ValidationError({"physician": "Only physicians hold physician licenses."})

    @property
    def holder_label(self) -> str:
        return self.physician.display_name if self.physician_id else ""


class AccessLog(models.Model):
    """One row per view of health data by someone other than the patient it is about
    (docs/architecture.md "Access audit"): a page about one patient names that patient; a list
    page (the patient list, a queue, a schedule) writes one row naming the list, with no patient;
    a request for a record outside the person's scope is kept as refused.

    The patient is identified by their user account so that this app needs no patient model."""

    class Outcome(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        REFUSED = "refused", "Refused"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_logs_made")
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_logs_about",
        null=True,
        blank=True,
        help_text="Empty for a list page and for a refused request.",
    )
    action = models.CharField(max_length=64, help_text="What was viewed, e.g. chart.view or patients.list.")
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.VIEWED)
    path = models.CharField(max_length=255)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["patient", "-at"]),
            models.Index(fields=["actor", "-at"], name="accesslog_actor_at"),
        ]

    def __str__(self) -> str:
        about = f"patient {self.patient_id}" if self.patient_id else self.path
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {about} ({self.get_outcome_display()})"


class WorkerHeartbeat(models.Model):
    """Written by the beat-scheduled heartbeat task; shows that beat and a worker are alive."""

    name = models.CharField(max_length=32, unique=True)
    last_seen = models.DateTimeField()
    hostname = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


# Two-letter codes of US states and DC: residence may be any of them; the practice serves only
# the active ServiceState rows.
US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"),
    ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"),
    ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
]  # fmt: skip
US_STATE_NAMES = dict(US_STATES)


class Reminder(models.Model):
    """One reminder to one person, by one channel. The database is the source of truth: a row is
    due at ``due_at``; the dispatcher claims due rows and the sender delivers them (at least once:
    docs/architecture.md "Reminders and the outbox").
    ``key`` is unique per (subject, kind, channel, recipient), so scheduling twice is harmless.

    The engine knows no app: ``subject`` names what the reminder is about as "app_label.model:pk"
    and apps register a check per kind that may skip a reminder that no longer applies."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    key = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=40, db_index=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        null=True,
        blank=True,
        help_text="Empty only for an account email to an address with no account.",
    )
    subject = models.CharField(max_length=80, blank=True, help_text="What it is about, e.g. patients.followup:12.")
    # A message whose content is fixed when it is written (an account email and its sign-in link),
    # encrypted with MFA_ENCRYPTION_KEYS, and erased once the row is sent or skipped.
    sealed_message = models.TextField(blank=True, editable=False)
    time_zone = models.CharField(max_length=64, default="America/Chicago", validators=[validate_time_zone])
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # The dispatcher's claim: pending rows by due time.
            models.Index(fields=["status", "due_at"], name="reminder_status_due"),
            models.Index(fields=["subject"], name="reminder_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → user {self.recipient_id} ({self.get_status_display()})"


class EmailOutbox(models.Model):
    """Emails recorded by ``portal.mail.OutboxEmailBackend`` (tests, benchmarks, demos): a
    delivery written in the same transaction as the reminder it belongs to."""

    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name_plural = "email outbox"

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class PhoneVerification(models.Model):
    """A six-digit code texted to a number to prove it belongs to the person. Only a keyed hash of
    the code is kept; it lasts ten minutes and takes a few wrong guesses (portal/sms/verification.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_verifications")
    phone = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "created_at"], name="phoneverif_user_created"),
            models.Index(fields=["phone", "created_at"], name="phoneverif_phone_created"),
        ]

    def __str__(self) -> str:
        return f"phone code for user {self.user_id} ({self.created_at:%Y-%m-%d %H:%M})"


class SMSInboundEvent(models.Model):
    """One reply received from a phone (STOP, START, HELP …), recorded once by the provider's event
    id so a webhook delivered twice acts once. The number and the words are not kept: only the
    keyword it was read as and whose account it matched."""

    class Keyword(models.TextChoices):
        STOP = "stop", "Stop"
        START = "start", "Start"
        HELP = "help", "Help"
        OTHER = "other", "Other"

    provider_event_id = models.CharField(max_length=100, unique=True)
    keyword = models.CharField(max_length=8, choices=Keyword.choices)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="sms_inbound_events")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "text message reply"

    def __str__(self) -> str:
        return f"{self.get_keyword_display()} reply {self.provider_event_id}"
