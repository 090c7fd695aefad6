from django.apps import AppConfig


class PrescriptionsConfig(AppConfig):
    name = "prescriptions"
    verbose_name = "Prescriptions and pharmacies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from patients.billing.estimates import register_diagnosis_source, register_related_items_source
        from patients.clinic.selectors import register_work_item_source
        from patients.dashboard.selectors import register_medication_source
        from patients.followups.services import register_dose_change_source
        from patients.profile.selectors import register_pharmacy_after_move_source
        from patients.safety.services import opioid_exposure_reported
        from prescriptions.orders.billing import patient_diagnoses
        from prescriptions.orders.onboarding import onboarding_medication
        from prescriptions.orders.reminders import register
        from prescriptions.orders.worklist import order_work_items
        from prescriptions.pharmacies.billing import pharmacy_items
        from prescriptions.pharmacies.moving import pharmacy_after_move
        from prescriptions.pharmacies.notifications import register as register_pharmacy_notifications
        from prescriptions.plans.followups import plan_dose_changes
        from prescriptions.plans.services import hold_for_opioid_exposure

        register()
        register_pharmacy_notifications()
        # Follow-ups are derived from the plan's dose changes (docs/domain.md "Follow-ups").
        register_dose_change_source(plan_dose_changes)
        # Opioid use reported in a check-in holds the plan (docs/domain.md "Safety triage").
        opioid_exposure_reported.connect(hold_for_opioid_exposure, dispatch_uid="hold_for_opioid_exposure")
        # Good Faith Estimates name the diagnosis and the pharmacy's part (docs/domain.md "Cash pay").
        register_diagnosis_source(patient_diagnoses)
        register_related_items_source(pharmacy_items)
        # The physician's work list shows what waits in orders (docs/architecture.md "Apps and layers").
        register_work_item_source(order_work_items)
        # The getting-started checklist shows the prescription and its delivery (docs/domain.md "Getting started").
        register_medication_source(onboarding_medication)
        # A move's confirm page says where new orders will go (docs/domain.md "Profile and moving").
        register_pharmacy_after_move_source(pharmacy_after_move)
