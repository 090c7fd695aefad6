from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("patient/", views.patient_home, name="home"),
    path("clinic/", views.clinic_home, name="clinic_home"),
]
