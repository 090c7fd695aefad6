from django.urls import path

from prescriptions.views import clinic, fhir, intake, patient, pharmacy

app_name = "prescriptions"

urlpatterns = [
    path("intake/pharmacy/", intake.intake_pharmacy, name="intake_pharmacy"),
    # physicians
    path("clinic/patients/<int:pk>/plan/new/", clinic.plan_new, name="plan_new"),
    path("clinic/patients/<int:pk>/orders/new/", clinic.order_new, name="order_new"),
    path("clinic/orders/", clinic.clinic_orders, name="clinic_orders"),
    path("clinic/orders/<int:pk>/", clinic.clinic_order, name="clinic_order"),
    path("clinic/orders/<int:pk>/edit/", clinic.order_edit, name="order_edit"),
    path("clinic/orders/<int:pk>/sign/", clinic.order_sign, name="order_sign"),
    path("clinic/orders/<int:pk>/send/", clinic.order_send, name="order_send"),
    path("clinic/orders/<int:pk>/cancel/", clinic.order_cancel, name="order_cancel"),
    path("clinic/orders/<int:pk>/answer/", clinic.order_answer, name="order_answer"),
    path("clinic/refills/<int:pk>/approve/", clinic.refill_approve, name="refill_approve"),
    path("clinic/refills/<int:pk>/decline/", clinic.refill_decline, name="refill_decline"),
    # pharmacy staff
    path("pharmacy/", pharmacy.pharmacy_home, name="pharmacy_home"),
    path("pharmacy/orders/<int:pk>/", pharmacy.pharmacy_order, name="pharmacy_order"),
    path("pharmacy/orders/<int:pk>/action/", pharmacy.pharmacy_order_action, name="pharmacy_order_action"),
    # patients
    path("patient/orders/", patient.patient_orders, name="patient_orders"),
    path("patient/orders/<int:pk>/", patient.patient_order, name="patient_order"),
    path("patient/orders/<int:pk>/refill/", patient.patient_refill_request, name="patient_refill_request"),
    path("patient/schedule/", patient.patient_schedule, name="patient_schedule"),
    # interoperability
    path("fhir/MedicationRequest/<int:pk>", fhir.medication_request_view, name="fhir_medication_request"),
]
