from django.urls import path, re_path

from patients.billing import views as billing
from patients.checkins import views as checkins
from patients.clinic import recall_views as recalls
from patients.clinic import views as clinic
from patients.dashboard import views as dashboard
from patients.intake import views as intake
from patients.intake.forms import STEP_FORMS
from patients.messaging import views as messaging
from patients.notifications import views as notifications
from patients.notifications import webhook as sms_webhook
from patients.payments import views as payments
from patients.profile import views as profile
from patients.visitnotes import views as visit_notes
from patients.visits import care_team_views as care_team
from patients.visits import clinic_views as schedule
from patients.visits import views as booking

app_name = "patients"

# Only the steps this app serves: /intake/pharmacy/ belongs to the prescriptions app.
STEP_PATTERN = "|".join(STEP_FORMS)

urlpatterns = [
    path("intake/", intake.intake_start, name="intake"),
    path("intake/waitlist/", intake.waitlist, name="waitlist"),
    path("intake/summary/", intake.intake_summary, name="intake_summary"),
    path("intake/result/", intake.intake_result, name="intake_result"),
    re_path(rf"^intake/(?P<step>{STEP_PATTERN})/$", intake.intake_step, name="intake_step"),
    path("patient/", dashboard.patient_home, name="home"),
    path("patient/checkins/new/", checkins.checkin_new, name="checkin_new"),
    path("patient/checkins/<int:pk>/safety/", checkins.checkin_safety, name="checkin_safety"),
    # The patient's profile: contact details, medicines and allergies, moving to another state.
    path("patient/profile/", profile.profile, name="profile"),
    path("patient/profile/move/", profile.profile_move, name="profile_move"),
    path("clinic/", clinic.clinic_home, name="clinic_home"),
    path("clinic/reviews/", clinic.review_queue, name="review_queue"),
    path("clinic/patients/", clinic.patient_list, name="patient_list"),
    path("clinic/patients/<int:pk>/", clinic.patient_chart, name="chart"),
    path("clinic/patients/<int:pk>/review/", clinic.intake_review, name="intake_review"),
    path(
        "clinic/patients/<int:pk>/health-changes/reviewed/",
        profile.health_changes_reviewed,
        name="health_changes_reviewed",
    ),
    # The care team's recall list (follow-ups due and not booked).
    path("clinic/recalls/", recalls.recall_list, name="recall_list"),
    path("clinic/recalls/<int:pk>/contact/", recalls.recall_contact, name="recall_contact"),
    # Video visits (issue 4): the patient's side …
    path("patient/appointments/", booking.appointment_list, name="appointment_list"),
    path("patient/appointments/book/", booking.appointment_book, name="appointment_book"),
    path("patient/appointments/<int:pk>/reschedule/", booking.appointment_reschedule, name="appointment_reschedule"),
    path("patient/appointments/<int:pk>/cancel/", booking.appointment_cancel, name="appointment_cancel"),
    path("patient/appointments/<int:pk>/join/", booking.appointment_join, name="appointment_join"),
    path("patient/appointments/<int:pk>/room/", booking.appointment_room, name="appointment_room"),
    path("patient/appointments/<int:pk>/calendar.ics", booking.appointment_calendar, name="appointment_calendar"),
    # … and the physician's.
    path("clinic/schedule/", schedule.schedule, name="schedule"),
    path("clinic/availability/", schedule.availability, name="availability"),
    path("clinic/availability/hours/<int:pk>/delete/", schedule.availability_window_delete, name="availability_delete"),
    path("clinic/availability/time-off/<int:pk>/delete/", schedule.time_off_delete, name="time_off_delete"),
    path("clinic/appointments/<int:pk>/", schedule.appointment_detail, name="clinic_appointment"),
    path("clinic/appointments/<int:pk>/room/", schedule.appointment_room, name="clinic_appointment_room"),
    path("clinic/appointments/<int:pk>/outcome/", schedule.appointment_outcome, name="appointment_outcome"),
    path("clinic/appointments/<int:pk>/note/", schedule.appointment_note, name="appointment_note"),
    path("clinic/appointments/<int:pk>/visit-note/", visit_notes.visit_note, name="visit_note"),
    path(
        "clinic/appointments/<int:pk>/visit-note/addenda/",
        visit_notes.visit_note_addendum,
        name="visit_note_addendum",
    ),
    path(
        "clinic/appointments/<int:pk>/cancel/",
        schedule.appointment_cancel_by_care_team,
        name="clinic_appointment_cancel",
    ),
    # … and the care team's, booking or moving a visit for a patient.
    path("clinic/patients/<int:pk>/book/", care_team.book_for_patient, name="clinic_book_for"),
    path("clinic/appointments/<int:pk>/reschedule/", care_team.reschedule_for_patient, name="clinic_reschedule_for"),
    # Secure messages: <pk> in messages/<pk>/ is the thread (README "Pages").
    path("patient/messages/", messaging.patient_message_list, name="message_list"),
    path("patient/messages/<int:pk>/", messaging.patient_thread, name="thread"),
    path("patient/messages/attachments/<int:pk>/", messaging.patient_attachment, name="attachment"),
    path("clinic/messages/", messaging.clinic_message_list, name="clinic_message_list"),
    path("clinic/messages/<int:pk>/", messaging.clinic_thread, name="clinic_thread"),
    path("clinic/messages/<int:pk>/assign/", messaging.clinic_thread_assign, name="clinic_thread_assign"),
    path("clinic/messages/attachments/<int:pk>/", messaging.clinic_attachment, name="clinic_attachment"),
    # Cash pay (issue 19): prices for anyone; the patient's payments, estimates and superbills.
    path("prices/", payments.prices, name="prices"),
    path("patient/billing/", payments.billing_home, name="billing"),
    path("patient/billing/visits/<int:pk>/pay/", payments.visit_pay, name="visit_pay"),
    path("patient/billing/payments/<int:pk>/", payments.payment_detail, name="payment_detail"),
    path("patient/billing/payments/<int:pk>/receipt.pdf", payments.receipt_pdf, name="receipt_pdf"),
    path("patient/billing/estimates/request/", billing.estimate_request, name="estimate_request"),
    path("patient/billing/estimates/<int:pk>/", billing.estimate_detail, name="estimate_detail"),
    path("patient/billing/estimates/<int:pk>/estimate.pdf", billing.estimate_pdf, name="estimate_pdf"),
    path("patient/billing/superbills/", billing.superbill_request, name="superbill_request"),
    path("patient/billing/superbills/<int:pk>/superbill.pdf", billing.superbill_pdf, name="superbill_pdf"),
    # Reminder preferences and texts (README "Text messages"); replies from phones, signed by Telnyx.
    path("patient/profile/notifications/", notifications.notification_settings, name="notification_settings"),
    path("sms/inbound/", sms_webhook.sms_inbound, name="sms_inbound"),
]
