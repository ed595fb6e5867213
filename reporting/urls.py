from django.urls import path

from actions.views import to_current_plan

from . import views

app_name = "reporting"

urlpatterns = [
    path("plans/<slug:slug>/bilans/", views.bilan_list, name="bilan_list"),
    path("plans/<slug:slug>/bilans/<int:year>/", views.bilan_detail, name="bilan_detail"),
    path("plans/<slug:slug>/bilans/<int:year>/pdf/", views.bilan_pdf, name="bilan_pdf"),
    path("plans/<slug:slug>/bilans/<int:year>/publier/", views.bilan_publish, name="bilan_publish"),
    path("plans/<slug:slug>/bilans/fin-de-plan/", views.final_detail, name="final_detail"),
    path("plans/<slug:slug>/bilans/fin-de-plan/pdf/", views.final_pdf, name="final_pdf"),
    path("plans/<slug:slug>/bilans/fin-de-plan/publier/", views.final_publish, name="final_publish"),
    path("plans/<slug:slug>/bilans/publies/<int:pk>/", views.published_detail, name="published_detail"),
    path("plans/<slug:slug>/bilans/publies/<int:pk>/pdf/", views.published_pdf, name="published_pdf"),
    path(
        "plans/<slug:slug>/bilans/publies/<int:pk>/public/",
        views.published_set_public,
        name="published_set_public",
    ),
    # The schema document: the plan itself (not a bilan), page and tagged PDF.
    path("plans/<slug:slug>/schema/", views.schema_detail, name="schema"),
    path("plans/<slug:slug>/schema/pdf/", views.schema_pdf, name="schema_pdf"),
    # Addresses without a plan, from before there were several (bookmarks): the current plan's, and a
    # published version's own plan.
    path("bilans/", to_current_plan, {"to": "reporting:bilan_list"}, name="bilan_list_current"),
    path(
        "bilans/<int:year>/", to_current_plan, {"to": "reporting:bilan_detail"}, name="bilan_detail_current"
    ),
    path("bilans/<int:year>/pdf/", to_current_plan, {"to": "reporting:bilan_pdf"}, name="bilan_pdf_current"),
    path(
        "bilans/fin-de-plan/", to_current_plan, {"to": "reporting:final_detail"}, name="final_detail_current"
    ),
    path("bilans/fin-de-plan/pdf/", to_current_plan, {"to": "reporting:final_pdf"}, name="final_pdf_current"),
    path(
        "bilans/publies/<int:pk>/",
        views.published_moved,
        {"to": "reporting:published_detail"},
        name="published_detail_moved",
    ),
    path(
        "bilans/publies/<int:pk>/pdf/",
        views.published_moved,
        {"to": "reporting:published_pdf"},
        name="published_pdf_moved",
    ),
]
