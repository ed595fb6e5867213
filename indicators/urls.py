from django.urls import path

from .views import campaigns, entry, exports, pages

app_name = "indicators"

urlpatterns = [
    path("plan/", pages.current_plan, name="plan_current"),
    path("plans/<slug:slug>/", pages.plan_detail, name="plan_detail"),
    path("plans/<slug:slug>/fiches/<int:number>/", pages.fiche_detail, name="fiche_detail"),
    path("plans/<slug:slug>/fiches/<int:number>/saisie/<int:year>/", entry.entry, name="entry"),
    path("mes-fiches/", entry.my_fiches, name="my_fiches"),
    path("campagnes/", campaigns.campaigns, name="campaigns"),
    path("campagnes/<int:year>/", campaigns.campaign, name="campaign"),
    path("campagnes/<int:year>/fermer/", campaigns.campaign_close, name="campaign_close"),
    path(
        "campagnes/<int:year>/fiches/<int:number>/<str:action>/",
        campaigns.campaign_fiche_action,
        name="campaign_fiche_action",
    ),
    path("exports/plans/<slug:slug>/valeurs.xlsx", exports.values_xlsx, name="values_xlsx"),
]
