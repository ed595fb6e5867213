from django.urls import path

from . import views

app_name = "public"

# Readable without an account (spaser.middleware lets /public/ through). A plan's address is stable:
# its identifier (slug), which SCP never changes once the plan is published.
urlpatterns = [
    path("", views.index, name="index"),
    path("catalogue.jsonld", views.catalogue, name="catalogue"),
    path("schemas/<str:filename>", views.schema, name="schema"),
    path("<slug:slug>/", views.plan, name="plan"),
    path("<slug:slug>/fiches/<int:number>/", views.fiche, name="fiche"),
    path("<slug:slug>/schema.pdf", views.schema_document_pdf, name="schema_document_pdf"),
    path("<slug:slug>/bilans/", views.bilans, name="bilans"),
    path("<slug:slug>/bilans/<str:scope>/v<int:version>/", views.bilan, name="bilan"),
    path("<slug:slug>/bilans/<str:scope>/v<int:version>/pdf/", views.bilan_pdf, name="bilan_pdf"),
    path("<slug:slug>/donnees/", views.data, name="data"),
    path("<slug:slug>/donnees/<str:filename>", views.data_file, name="data_file"),
]
