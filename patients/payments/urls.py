from django.urls import path

from patients.payments import webhook

app_name = "payments"

urlpatterns = [
    path("billing/stripe/webhook/", webhook.stripe_webhook, name="stripe_webhook"),
]
