from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("indicateurs-legaux/", views.legal_current, name="legal_current"),
    path("plans/<slug:slug>/indicateurs-legaux/", views.legal_latest, name="legal_latest"),
    path("plans/<slug:slug>/indicateurs-legaux/<int:year>/", views.legal_indicators, name="legal_indicators"),
    path("plans/<slug:slug>/contrats/", views.contract_list, name="contract_list"),
    path("plans/<slug:slug>/contrats/<int:pk>/", views.contract_detail, name="contract_detail"),
]
