from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("plan/", views.current_plan, name="plan_current"),
    path("plans/<slug:slug>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<slug:slug>/fiches/<int:number>/", views.FicheDetailView.as_view(), name="fiche_detail"),
]
