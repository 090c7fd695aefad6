from django import template

from prescriptions.models import PharmacyPreference

register = template.Library()


@register.simple_tag
def preferred_pharmacy_name(patient) -> str:
    """The patient's chosen pharmacy for summaries and charts ("No preference" when none)."""
    preference = PharmacyPreference.objects.select_related("pharmacy").filter(patient=patient).first()
    if preference is None:
        return "Not chosen yet"
    return preference.pharmacy.name if preference.pharmacy else "No preference"
