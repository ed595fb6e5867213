from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("mes-fiches/", views.my_fiches, name="my_fiches"),
    path("plans/<slug:slug>/fiches/<int:number>/saisie/<int:year>/", views.entry, name="entry"),
    path("campagnes/", views.campaigns, name="campaigns"),
    path("campagnes/<int:year>/", views.campaign, name="campaign"),
    path("campagnes/<int:year>/fermer/", views.campaign_close, name="campaign_close"),
    path(
        "campagnes/<int:year>/fiches/<int:number>/<str:action>/",
        views.campaign_fiche_action,
        name="campaign_fiche_action",
    ),
]
