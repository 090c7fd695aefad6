from django.urls import path

from prescriptions import views

app_name = "prescriptions"

urlpatterns = [
    path("pharmacy/", views.pharmacy_home, name="pharmacy_home"),
]
