from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("bilans/", views.bilan_list, name="bilan_list"),
    path("bilans/<int:year>/", views.bilan_detail, name="bilan_detail"),
    path("bilans/<int:year>/pdf/", views.bilan_pdf, name="bilan_pdf"),
    path("bilans/<int:year>/publier/", views.bilan_publish, name="bilan_publish"),
    path("bilans/fin-de-plan/", views.final_detail, name="final_detail"),
    path("bilans/fin-de-plan/pdf/", views.final_pdf, name="final_pdf"),
    path("bilans/fin-de-plan/publier/", views.final_publish, name="final_publish"),
    path("bilans/publies/<int:pk>/", views.published_detail, name="published_detail"),
    path("bilans/publies/<int:pk>/pdf/", views.published_pdf, name="published_pdf"),
    path("bilans/publies/<int:pk>/public/", views.published_set_public, name="published_set_public"),
]

# The schema document (the plan itself, page and PDF): reporting/schema_views.py. Kept apart from the
# bilans' paths above so that a change of those merges cleanly.
from . import schema_views  # noqa: E402

urlpatterns += [
    path("plans/<slug:slug>/schema/", schema_views.schema_detail, name="schema"),
    path("plans/<slug:slug>/schema/pdf/", schema_views.schema_pdf, name="schema_pdf"),
]
