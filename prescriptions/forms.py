from django import forms

from prescriptions.models import Pharmacy


class PharmacyChoiceForm(forms.Form):
    pharmacy = forms.ModelChoiceField(
        label="Preferred compounding pharmacy",
        queryset=Pharmacy.objects.none(),
        required=False,
        empty_label="No preference: let the practice choose",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, pharmacies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pharmacy"].queryset = pharmacies if pharmacies is not None else Pharmacy.objects.none()
