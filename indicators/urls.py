from django.urls import path

from actions.views import to_current_plan

from .views import campaigns, entry, exports, pages

app_name = "indicators"

urlpatterns = [
    path("plans/<slug:slug>/", pages.plan_detail, name="plan_detail"),
    path("plans/<slug:slug>/fiches/<int:number>/", pages.fiche_detail, name="fiche_detail"),
    path("plans/<slug:slug>/fiches/<int:number>/saisie/<int:year>/", entry.entry, name="entry"),
    path("mes-fiches/", entry.my_fiches, name="my_fiches"),
    path("plans/<slug:slug>/campagnes/", campaigns.campaigns, name="campaigns"),
    path("plans/<slug:slug>/campagnes/<int:year>/", campaigns.campaign, name="campaign"),
    path("plans/<slug:slug>/campagnes/<int:year>/fermer/", campaigns.campaign_close, name="campaign_close"),
    path(
        "plans/<slug:slug>/campagnes/<int:year>/fiches/<int:number>/<str:action>/",
        campaigns.campaign_fiche_action,
        name="campaign_fiche_action",
    ),
    path("exports/plans/<slug:slug>/valeurs.xlsx", exports.values_xlsx, name="values_xlsx"),
    # Addresses without a plan, from before there were several (bookmarks, e-mails): the current plan's.
    path("plan/", to_current_plan, {"to": "indicators:plan_detail"}, name="plan_current"),
    path("campagnes/", to_current_plan, {"to": "indicators:campaigns"}, name="campaigns_current"),
    path("campagnes/<int:year>/", to_current_plan, {"to": "indicators:campaign"}, name="campaign_current"),
]
