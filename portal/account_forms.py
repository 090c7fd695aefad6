"""allauth's second-factor forms with what phones and password managers need: the code field is
numeric (TOTP and recovery codes here are digits only), offered from the authenticator app
(``autocomplete="one-time-code"``), focused when the page opens, and says what is missing. Named in
settings.MFA_FORMS. allauth's own sign-in, sign-up, email and password forms already carry the
``email``, ``current-password`` and ``new-password`` tokens."""

from __future__ import annotations

from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from django import forms

ONE_TIME_CODE_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}


def one_time_code(form: forms.Form) -> None:
    field = form.fields["code"]
    field.widget.attrs.update(ONE_TIME_CODE_ATTRS)
    field.widget.attrs.pop("placeholder", None)  # the label says it; a placeholder is no label
    field.error_messages = {**field.error_messages, "required": "Enter the code from your authenticator app."}


class CodeAuthenticateForm(AuthenticateForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        one_time_code(self)


class CodeReauthenticateForm(ReauthenticateForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        one_time_code(self)


class CodeActivateTOTPForm(ActivateTOTPForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        one_time_code(self)
