from django.urls import path

from prescriptions.orders import fax_views, fhir_views, patient_views
from prescriptions.orders import pharmacy_views as pharmacy
from prescriptions.orders import views as orders
from prescriptions.pharmacies import intake_views, profile_views
from prescriptions.plans import views as plans

app_name = "prescriptions"

urlpatterns = [
    path("intake/pharmacy/", intake_views.intake_pharmacy, name="intake_pharmacy"),
    path("patient/profile/pharmacy/", profile_views.profile_pharmacy, name="profile_pharmacy"),
    # physicians
    path("clinic/patients/<int:pk>/plan/new/", plans.plan_new, name="plan_new"),
    path("clinic/patients/<int:pk>/plan/pause/", plans.plan_pause, name="plan_pause"),
    path("clinic/items/<int:pk>/", plans.care_item, name="care_item"),
    path("clinic/patients/<int:pk>/orders/new/", orders.order_new, name="order_new"),
    path("clinic/orders/", orders.clinic_orders, name="clinic_orders"),
    path("clinic/orders/<int:pk>/", orders.clinic_order, name="clinic_order"),
    path("clinic/orders/<int:pk>/edit/", orders.order_edit, name="order_edit"),
    path("clinic/orders/<int:pk>/sign/", orders.order_sign, name="order_sign"),
    path("clinic/orders/<int:pk>/send/", orders.order_send, name="order_send"),
    path("clinic/orders/<int:pk>/cancel/", orders.order_cancel, name="order_cancel"),
    path("clinic/orders/<int:pk>/answer/", orders.order_answer, name="order_answer"),
    path("clinic/orders/<int:pk>/prescription.pdf", fax_views.clinic_order_pdf, name="clinic_order_pdf"),
    path("clinic/faxes/<int:pk>/retry/", fax_views.fax_retry, name="fax_retry"),
    path("clinic/refills/<int:pk>/approve/", orders.refill_approve, name="refill_approve"),
    path("clinic/refills/<int:pk>/decline/", orders.refill_decline, name="refill_decline"),
    # pharmacy staff
    path("pharmacy/", pharmacy.pharmacy_home, name="pharmacy_home"),
    path("pharmacy/orders/<int:pk>/", pharmacy.pharmacy_order, name="pharmacy_order"),
    path("pharmacy/orders/<int:pk>/action/", pharmacy.pharmacy_order_action, name="pharmacy_order_action"),
    path("pharmacy/orders/<int:pk>/prescription.pdf", fax_views.pharmacy_order_pdf, name="pharmacy_order_pdf"),
    path("pharmacy/orders/<int:pk>/verify/", pharmacy.pharmacy_order_verify, name="pharmacy_order_verify"),
    path(
        "pharmacy/orders/<int:pk>/compounding/", pharmacy.pharmacy_order_compounding, name="pharmacy_order_compounding"
    ),
    path("pharmacy/orders/<int:pk>/medication-request.json", pharmacy.pharmacy_order_fhir, name="pharmacy_order_fhir"),
    # patients
    path("patient/orders/", patient_views.patient_orders, name="patient_orders"),
    path("patient/orders/<int:pk>/", patient_views.patient_order, name="patient_order"),
    path("patient/orders/<int:pk>/refill/", patient_views.patient_refill_request, name="patient_refill_request"),
    path("patient/schedule/", patient_views.patient_schedule, name="patient_schedule"),
    path("patient/medication-arrived/", plans.patient_medication_arrived, name="patient_medication_arrived"),
    # interoperability
    path("fhir/MedicationRequest/<int:pk>", fhir_views.medication_request_view, name="fhir_medication_request"),
]
