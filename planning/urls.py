from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("plans/<slug:slug>/preparer-la-suite/", views.prepare_next, name="prepare_next"),
    path("plans/<slug:slug>/preparation/", views.decisions, name="decisions"),
    path("plans/<slug:slug>/comparaison/", views.comparison, name="comparison"),
    path("plans/<slug:slug>/comparaison.xlsx", views.comparison_xlsx, name="comparison_xlsx"),
]
