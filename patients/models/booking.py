"""Video visits: when physicians see patients, and which visits are booked (docs/domain.md "Service states and licenses"
"Service states and licenses", point 2)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import F, Func, Q
from simple_history.models import HistoricalRecords

from patients.models.followups import FollowUp
from patients.models.record import Patient
from portal.models import ServiceState, User, validate_time_zone

# Named in the PostgreSQL constraint and in the SQLite triggers (migration 0003), so a clash is
# recognised the same way on both databases.
APPOINTMENT_OVERLAP_CONSTRAINT = "appointment_no_overlap"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class PhysicianProfile(models.Model):
    """What the booking pages need to know about a physician: the time zone their weekly hours
    are written in (a physician may live far from the states they are licensed in)."""

    physician = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="physician_profile",
        limit_choices_to={"role": User.Role.PHYSICIAN},
    )
    timezone = models.CharField(max_length=64, default="America/Chicago", validators=[validate_time_zone])

    def __str__(self) -> str:
        return f"{self.physician.display_name} ({self.timezone})"


class VisitType(models.Model):
    """The kinds of video visit. The two rows are created by the migration; admins may rename
    them or change their length."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial consultation"
        FOLLOW_UP = "follow_up", "Follow-up visit"

    kind = models.CharField(max_length=16, choices=Kind.choices, unique=True)
    name = models.CharField(max_length=80)
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(10), MaxValueValidator(120)])

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"


class WeeklyAvailability(models.Model):
    """A window of the week when a physician takes video visits, in the physician's own time zone
    (09:00 stays 09:00 local across daylight-saving changes)."""

    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="weekly_availability",
        limit_choices_to={"role": User.Role.PHYSICIAN},
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["physician", "weekday", "start_time"]
        verbose_name_plural = "weekly availability"
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="availability_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class TimeOff(models.Model):
    """A period when the physician takes no visits, whatever their weekly hours say."""

    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="time_off",
        limit_choices_to={"role": User.Role.PHYSICIAN},
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=120, blank=True, help_text="Private to the practice.")

    class Meta:
        ordering = ["physician", "starts_at"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="time_off_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.physician} off {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M} UTC"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class VisitOverlapConstraint(ExclusionConstraint):
    """No two live visits of one physician overlap.

    PostgreSQL enforces it as an exclusion constraint (needs btree_gist for the physician
    equality). Other databases get no DDL from this class: migration 0003 installs triggers with
    the same rule on SQLite. ``validate`` (run by model forms such as the admin's) asks the same
    question with a plain query, so it works on both."""

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if exclude and {"physician", "starts_at", "ends_at", "status"} & set(exclude):
            return
        if instance.status == Appointment.Status.CANCELLED or not (instance.starts_at and instance.ends_at):
            return
        clashes = (
            model._default_manager.using(using)
            .filter(physician_id=instance.physician_id, starts_at__lt=instance.ends_at, ends_at__gt=instance.starts_at)
            .exclude(status=Appointment.Status.CANCELLED)
        )
        if instance.pk is not None:
            clashes = clashes.exclude(pk=instance.pk)
        if clashes.exists():
            raise ValidationError(self.get_violation_error_message(), code=self.violation_error_code)


def new_video_room() -> str:
    """The visit's private room name (192 random bits, URL-safe): its signaling group on the
    channel layer, so the name never appears in a URL."""
    return secrets.token_urlsafe(24)


class Appointment(models.Model):
    """One video visit between a patient and a physician. Times are stored in UTC; pages show
    them in each person's own zone. ``location_state`` is where the patient said they would be
    during the visit: the physician must be licensed there on the visit date."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments_as_physician",
        limit_choices_to={"role": User.Role.PHYSICIAN},
    )
    visit_type = models.ForeignKey(VisitType, on_delete=models.PROTECT, related_name="+")
    location_state = models.ForeignKey(
        ServiceState, on_delete=models.PROTECT, related_name="+", help_text="Where the patient is during the visit."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED, db_index=True)
    # Set when the visit's physician holds no license active in the visit's state on its day any
    # more (a lapse): both sides see it and the patient is asked to rebook.
    rebook_requested_at = models.DateTimeField(null=True, blank=True)
    video_room = models.CharField(max_length=64, unique=True, default=new_video_room, editable=False)
    followup = models.ForeignKey(
        FollowUp, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments"
    )
    rescheduled_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rescheduled_to"
    )
    # The outcome's one line for the practice ("no answer after two calls"); the clinical record of a
    # visit that took place is its VisitNote (docs/domain.md "Visit notes and after-visit summaries").
    note = models.TextField(
        "outcome note",
        max_length=2000,
        blank=True,
        help_text="A short line about how the visit went, for the practice. The clinical record is the visit note.",
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    # Set when someone of the care team booked or moved the visit for the patient; empty when the
    # patient booked it themselves.
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancellation_note = models.CharField(
        max_length=500, blank=True, help_text="Why the physician cancelled the visit; the patient reads it."
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["video_room"])

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["physician", "starts_at"], name="appointment_physician_start"),
            models.Index(fields=["patient", "starts_at"], name="appointment_patient_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"),
            VisitOverlapConstraint(
                name=APPOINTMENT_OVERLAP_CONSTRAINT,
                expressions=[
                    ("physician", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status="cancelled"),
                violation_error_message="The physician already has a visit at that time.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_type.name} {self.starts_at:%Y-%m-%d %H:%M} UTC ({self.get_status_display()})"

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class VisitJoinAttempt(models.Model):
    """Each time a patient confirms where they are to join a visit (docs/domain.md "Service states and
    licenses", point 2: the
    location is confirmed again when joining). Refused attempts are kept as evidence that the
    visit did not happen across state lines."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="join_attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    stated_state_code = models.CharField("state stated", max_length=2)
    allowed = models.BooleanField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        verdict = "allowed" if self.allowed else "refused"
        return f"Join {verdict} from {self.stated_state_code} at {self.at:%Y-%m-%d %H:%M}"


class VisitEvent(models.Model):
    """What happened in a visit's video room: who came in, was let in, left, and when the physician
    ended the call, with the state the patient had confirmed (docs/domain.md "The video room").
    Only these facts are kept: no audio, video or chat passes through or stays on the server."""

    class Kind(models.TextChoices):
        JOINED = "joined", "Joined"
        ADMITTED = "admitted", "Admitted the patient"
        LEFT = "left", "Left"
        ENDED = "ended", "Ended the call"

    class Role(models.TextChoices):
        PATIENT = "patient", "Patient"
        PHYSICIAN = "physician", "Physician"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="room_events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    state_code = models.CharField(
        "attested state", max_length=2, blank=True, help_text="Where the patient confirmed they were."
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["appointment", "at"], name="visit_event_appointment_at")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.get_kind_display().lower()} at {self.at:%Y-%m-%d %H:%M:%S}"
