from django.urls import path

from prescriptions import views

app_name = "prescriptions"

urlpatterns = [
    path("intake/pharmacy/", views.intake_pharmacy, name="intake_pharmacy"),
    path("pharmacy/", views.pharmacy_home, name="pharmacy_home"),
]
