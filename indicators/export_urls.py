from django.urls import path

from . import export_views

app_name = "exports"

urlpatterns = [
    path("plans/<slug:slug>/plan.xlsx", export_views.plan_xlsx, name="plan_xlsx"),
    path("plans/<slug:slug>/valeurs.xlsx", export_views.values_xlsx, name="values_xlsx"),
]
