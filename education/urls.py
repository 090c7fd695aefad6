from django.urls import path

from education import views

app_name = "education"

urlpatterns = [
    path("learn/", views.article_list, name="index"),
    path("learn/<slug:slug>/", views.article_detail, name="article"),
]
