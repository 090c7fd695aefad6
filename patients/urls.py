from django.urls import path, re_path

from patients.forms import STEP_FORMS
from patients.views import clinic, intake, patient

app_name = "patients"

# Only the steps this app serves: /intake/pharmacy/ belongs to the prescriptions app.
STEP_PATTERN = "|".join(STEP_FORMS)

urlpatterns = [
    path("intake/", intake.intake_start, name="intake"),
    path("intake/waitlist/", intake.waitlist, name="waitlist"),
    path("intake/summary/", intake.intake_summary, name="intake_summary"),
    path("intake/result/", intake.intake_result, name="intake_result"),
    re_path(rf"^intake/(?P<step>{STEP_PATTERN})/$", intake.intake_step, name="intake_step"),
    path("patient/", patient.patient_home, name="home"),
    path("patient/checkins/new/", patient.checkin_new, name="checkin_new"),
    path("clinic/", clinic.clinic_home, name="clinic_home"),
    path("clinic/reviews/", clinic.review_queue, name="review_queue"),
    path("clinic/patients/", clinic.patient_list, name="patient_list"),
    path("clinic/patients/<int:pk>/", clinic.patient_chart, name="chart"),
    path("clinic/patients/<int:pk>/review/", clinic.intake_review, name="intake_review"),
]
