"""The style guide: one staff page that shows every part of the design system with the values it is
built from (docs/architecture.md "Design system"). It reads no patient's data and changes nothing."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal.access import staff_required
from portal.models import US_STATES
from portal.theme import checked_pairs, theme_colors, theme_properties

TYPE_SCALE = (
    ("h1", "--portal-font-size-h1", "Page title"),
    ("h2", "--portal-font-size-h2", "Section"),
    ("h3", "--portal-font-size-h3", "Subsection"),
    ("h4", "--portal-font-size-h4", "Card or panel title"),
    ("h5", "--portal-font-size-h5", "Small heading"),
    ("h6", "--portal-font-size-h6", "Smallest heading"),
)
STATUS_TONES = (
    ("neutral", "Draft"),
    ("primary", "In review"),
    ("info", "Sent to pharmacy"),
    ("success", "Delivered"),
    ("warning", "Needs clarification"),
    ("danger", "Rejected"),
)
DEMO_STEPS = ["About you", "Conditions", "Medicines", "History", "Consents"]


class StyleguideDemoForm(forms.Form):
    """Every kind of control the portal's forms use, to show them at rest and with errors."""

    full_name = forms.CharField(label="Full name", max_length=80, help_text="As it appears on your ID.")
    email = forms.EmailField(label="Email address")
    state = forms.ChoiceField(label="State you live in", choices=[("", "Choose a state")] + list(US_STATES))
    contact = forms.ChoiceField(
        label="How should we reach you?",
        choices=[("email", "Email"), ("sms", "Text message"), ("phone", "Phone call")],
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(label="Anything else?", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    agree = forms.BooleanField(label="I have read the privacy notice")


# What "Show the error state" submits: every field wrong in its own way.
DEMO_ERRORS = {"full_name": "", "email": "not-an-address", "state": "", "contact": "", "notes": ""}


def icon_names() -> list[str]:
    folder = Path(settings.BASE_DIR) / "static" / "icons"
    return sorted(path.stem for path in folder.glob("*.svg"))


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def styleguide(request: HttpRequest) -> HttpResponse:
    """GET: the style guide (``?errors=1`` shows the form with errors, ``?confirm=1`` the page a
    confirm dialog falls back to without JavaScript). POST: the confirm dialog's own form, which
    only says it arrived."""
    if request.method == "POST":
        messages.success(request, "The confirm dialog's form was sent. The style guide changes nothing.")
        return redirect("styleguide")
    if request.GET.get("confirm"):
        return render(request, "styleguide/confirm.html")
    colors = theme_colors()
    sizes = theme_properties()
    form = StyleguideDemoForm(DEMO_ERRORS if request.GET.get("errors") else None)
    return render(
        request,
        "styleguide/index.html",
        {
            "swatches": sorted(colors.items()),
            "pairs": checked_pairs(colors),
            "type_scale": [
                {"level": level, "size": sizes.get(prop, ""), "use": use} for level, prop, use in TYPE_SCALE
            ],
            "body_size": sizes.get("--bs-body-font-size", ""),
            "body_line_height": sizes.get("--bs-body-line-height", ""),
            "small_size": sizes.get("--portal-font-size-small", ""),
            "status_tones": STATUS_TONES,
            "demo_steps": DEMO_STEPS,
            "icon_names": icon_names(),
            "demo_form": form,
            "showing_errors": form.is_bound,
        },
    )
