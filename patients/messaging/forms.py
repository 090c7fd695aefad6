"""Forms of the secure-message pages: field validation only. What an attachment really is gets
decided by its content in patients.messaging.attachments, called by the service."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from patients.messaging.services import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH
from portal.models import User

ATTACHMENT_HELP = "Optional: one PDF, PNG or JPEG file, up to 10 MB."


def attachment_field() -> forms.FileField:
    return forms.FileField(
        label="Attach a file",
        required=False,
        help_text=ATTACHMENT_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


def body_field(label: str = "Message") -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": 5}), max_length=BODY_MAX_LENGTH, required=False
    )


def urgent_field() -> forms.BooleanField:
    return forms.BooleanField(
        label="This is urgent: alert a physician now",
        required=False,
        help_text="In an emergency do not wait for a reply: call 911 (or call or text 988 for thoughts of self-harm).",
    )


class NewThreadForm(forms.Form):
    subject = forms.CharField(label="Subject", max_length=SUBJECT_MAX_LENGTH)
    body = body_field()
    attachment = attachment_field()
    urgent = urgent_field()

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("attachment") and "body" not in self.errors:
            self.add_error("body", "Write a message.")
        return data


class ReplyForm(forms.Form):
    body = body_field("Your reply")
    attachment = attachment_field()

    def clean(self):
        data = super().clean()
        empty = not (data.get("body") or "").strip() and not data.get("attachment") and not data.get("article_slug")
        if empty and "body" not in self.errors:
            self.add_error("body", "Write a message.")
        return data


class PatientReplyForm(ReplyForm):
    urgent = urgent_field()


class ClinicReplyForm(ReplyForm):
    article_slug = forms.ChoiceField(label="Share an article (optional)", required=False)

    def __init__(self, *args, articles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article_slug"].choices = [("", "No article"), *((a.slug, a.title) for a in articles)]


class AssignForm(forms.Form):
    """Hand a conversation to one person of the care team, or back to everyone."""

    assignee = forms.ModelChoiceField(
        label="Assigned to",
        queryset=None,
        required=False,
        empty_label="Everyone on the care team",
        help_text="The person who answers this conversation; they are emailed that it waits for them.",
    )

    def __init__(self, *args, choices: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = choices
        self.fields["assignee"].label_from_instance = lambda u: f"{u.display_name} ({u.get_role_display()})"
