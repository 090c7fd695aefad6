"""The 0–10 answer as a row of large tap buttons labelled at both ends (docs/architecture.md
"Reads and markup"): radio inputs, so the page works without JavaScript and the arrow keys move between them."""

from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting


class ScaleButtons(forms.widgets.ChoiceWidget):
    """Radio inputs from 0 to 10, each shown as a ≥ 44 px button, inside the field's fieldset, with
    what the two ends mean ("0 = no pain", "10 = pain as bad as you can imagine").

    Built on RadioSelect's own base (ChoiceWidget, input type radio, RadioSelect's fieldset and
    label rules) rather than on RadioSelect itself: crispy-bootstrap5 renders every RadioSelect
    instance with its own list of radios and never asks the widget for its template."""

    input_type = "radio"
    template_name = "widgets/scale_buttons.html"  # draws the options too
    use_fieldset = True

    def __init__(self, *, low: str, high: str, attrs=None):
        super().__init__(attrs=attrs, choices=[(n, str(n)) for n in range(11)])
        self.low, self.high = low, high

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # crispy adds Bootstrap's text-box classes ("form-control is-invalid"): the buttons have
        # their own look; only "invalid" is kept, on the row, so the error text below shows.
        classes = context["widget"]["attrs"].pop("class", "").split()
        for _group, options, _index in context["widget"]["optgroups"]:
            for option in options:
                option["attrs"].pop("class", None)
        context["widget"].update(low=self.low, high=self.high, invalid="is-invalid" in classes)
        return context

    def id_for_label(self, id_, index=None):
        """Like RadioSelect: the legend labels the group, so it points at no single button."""
        if index is None:
            return ""
        return super().id_for_label(id_, index)

    def _render(self, template_name, context, renderer=None):
        # The template lives with the project's templates (templates/widgets/), which Django's
        # default form renderer does not search.
        return super()._render(template_name, context, TemplatesSetting())
