from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("exports/plans/<slug:slug>/plan.xlsx", views.plan_xlsx, name="plan_xlsx"),
]
