"""What every reminder to a patient checks before it is sent, whatever it is about."""

from __future__ import annotations

from patients.models import Patient
from portal.models import Reminder


def patient_reminder_skip_reason(patient: Patient | None, channel: str) -> str | None:
    """Reminders only reach patients whose state is still served and who did not opt out."""
    if patient is None:
        return "no patient record"
    if not patient.is_in_served_state:
        return "the patient's state is no longer served"
    if channel == Reminder.Channel.EMAIL and patient.email_opt_out:
        return "patient opted out of email reminders"
    if channel == Reminder.Channel.SMS and patient.sms_opt_out:
        return "patient opted out of text reminders"
    return None
