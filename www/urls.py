"""The site map: every page of the site, by area. The admin is wired in spaser/urls.py.

The URL names keep the namespace of the domain they show (`indicators:plan_detail`,
`reporting:bilan_pdf`...), so that every address, every name and the URL x role table
(tests/security/test_url_permissions.py) stayed the same when the pages moved here.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from .account import views as account
from .bilans import views as bilans
from .campaigns import views as campaigns
from .discussions import views as discussions
from .entry import views as entry
from .evidence import views as evidence
from .exports import views as exports
from .jobs import views as jobs
from .national import views as national
from .next_plan import views as next_plan
from .notifications import views as notifications
from .plans import views as plans
from .public import views as public
from .register import views as register

# The plan, its fiches and the pilot's workspace (entry of a fiche-year, "Mes fiches"), the campaigns.
follow_up = [
    path("plans/<slug:slug>/", plans.plan_detail, name="plan_detail"),
    path("plans/<slug:slug>/fiches/<int:number>/", plans.fiche_detail, name="fiche_detail"),
    path("plans/<slug:slug>/fiches/<int:number>/saisie/<int:year>/", entry.entry, name="entry"),
    path("mes-fiches/", entry.my_fiches, name="my_fiches"),
    path("plans/<slug:slug>/campagnes/", campaigns.campaigns, name="campaigns"),
    path("plans/<slug:slug>/campagnes/<int:year>/", campaigns.campaign, name="campaign"),
    path(
        "plans/<slug:slug>/campagnes/<int:year>/fermer/",
        campaigns.campaign_close_action,
        name="campaign_close",
    ),
    path(
        "plans/<slug:slug>/campagnes/<int:year>/fiches/<int:number>/<str:action>/",
        campaigns.campaign_fiche_action,
        name="campaign_fiche_action",
    ),
    path("exports/plans/<slug:slug>/valeurs.xlsx", exports.values_xlsx, name="values_xlsx"),
    # Addresses without a plan, from before there were several (bookmarks, e-mails): the current plan's.
    path("plan/", plans.to_current_plan, {"to": "indicators:plan_detail"}, name="plan_current"),
    path("campagnes/", plans.to_current_plan, {"to": "indicators:campaigns"}, name="campaigns_current"),
    path(
        "campagnes/<int:year>/", plans.to_current_plan, {"to": "indicators:campaign"}, name="campaign_current"
    ),
]

# A fiche-year's evidence ("preuves"): added from the entry page, removed, downloaded (never public).
evidence_pages = [
    path(
        "plans/<slug:slug>/fiches/<int:number>/saisie/<int:year>/preuves/ajouter/",
        evidence.evidence_add,
        name="add",
    ),
    path(
        "plans/<slug:slug>/fiches/<int:number>/preuves/<int:pk>/", evidence.evidence_download, name="download"
    ),
    path(
        "plans/<slug:slug>/fiches/<int:number>/preuves/<int:pk>/retirer/",
        evidence.evidence_remove,
        name="remove",
    ),
]

# The plan's own workbook.
plan_exports = [
    path("exports/plans/<slug:slug>/plan.xlsx", exports.plan_xlsx, name="plan_xlsx"),
]

# The contracts register and the legal indicators (L2111-3).
register_pages = [
    path("indicateurs-legaux/", register.legal_current, name="legal_current"),
    path("plans/<slug:slug>/indicateurs-legaux/", register.legal_latest, name="legal_latest"),
    path(
        "plans/<slug:slug>/indicateurs-legaux/<int:year>/", register.legal_indicators, name="legal_indicators"
    ),
    path("plans/<slug:slug>/contrats/", register.contract_list, name="contract_list"),
    path("plans/<slug:slug>/contrats/<int:pk>/", register.contract_detail, name="contract_detail"),
    path("registre/titulaires/<path:identifier>/", register.holder_detail, name="holder_detail"),
]

# The national comparison: the plan's buyers beside the buyers of their kind (national DECP).
national_pages = [
    path("plans/<slug:slug>/comparaison-nationale/", national.comparison_latest, name="comparison_latest"),
    path("plans/<slug:slug>/comparaison-nationale/<int:year>/", national.comparison, name="comparison"),
]

# The bilans (yearly and end of plan; live, published versions) and the schema document.
bilan_pages = [
    path("plans/<slug:slug>/bilans/", bilans.bilan_list, name="bilan_list"),
    path("plans/<slug:slug>/bilans/<int:year>/", bilans.bilan_detail, name="bilan_detail"),
    path("plans/<slug:slug>/bilans/<int:year>/pdf/", bilans.bilan_download, name="bilan_pdf"),
    path("plans/<slug:slug>/bilans/<int:year>/publier/", bilans.bilan_publish_action, name="bilan_publish"),
    path(
        "plans/<slug:slug>/bilans/<int:year>/archive-des-preuves/",
        bilans.evidence_archive,
        name="evidence_archive",
    ),
    path("plans/<slug:slug>/bilans/fin-de-plan/", bilans.final_detail, name="final_detail"),
    path("plans/<slug:slug>/bilans/fin-de-plan/pdf/", bilans.final_download, name="final_pdf"),
    path("plans/<slug:slug>/bilans/fin-de-plan/publier/", bilans.final_publish_action, name="final_publish"),
    path("plans/<slug:slug>/bilans/publies/<int:pk>/", bilans.published_detail, name="published_detail"),
    path("plans/<slug:slug>/bilans/publies/<int:pk>/pdf/", bilans.published_download, name="published_pdf"),
    path(
        "plans/<slug:slug>/bilans/publies/<int:pk>/public/",
        bilans.published_set_public,
        name="published_set_public",
    ),
    path("plans/<slug:slug>/schema/", bilans.schema_detail, name="schema"),
    path("plans/<slug:slug>/schema/pdf/", bilans.schema_download, name="schema_pdf"),
    # Addresses without a plan, from before there were several (bookmarks): the current plan's, and a
    # published version's own plan.
    path("bilans/", plans.to_current_plan, {"to": "reporting:bilan_list"}, name="bilan_list_current"),
    path(
        "bilans/<int:year>/",
        plans.to_current_plan,
        {"to": "reporting:bilan_detail"},
        name="bilan_detail_current",
    ),
    path(
        "bilans/<int:year>/pdf/",
        plans.to_current_plan,
        {"to": "reporting:bilan_pdf"},
        name="bilan_pdf_current",
    ),
    path(
        "bilans/fin-de-plan/",
        plans.to_current_plan,
        {"to": "reporting:final_detail"},
        name="final_detail_current",
    ),
    path(
        "bilans/fin-de-plan/pdf/",
        plans.to_current_plan,
        {"to": "reporting:final_pdf"},
        name="final_pdf_current",
    ),
    path(
        "bilans/publies/<int:pk>/",
        bilans.published_moved,
        {"to": "reporting:published_detail"},
        name="published_detail_moved",
    ),
    path(
        "bilans/publies/<int:pk>/pdf/",
        bilans.published_moved,
        {"to": "reporting:published_pdf"},
        name="published_pdf_moved",
    ),
]

# From one plan to the next: prepare the draft, decide each old fiche, compare (page and Excel).
next_plan_pages = [
    path("plans/<slug:slug>/preparer-la-suite/", next_plan.prepare_next, name="prepare_next"),
    path("plans/<slug:slug>/preparation/", next_plan.decisions, name="decisions"),
    path("plans/<slug:slug>/comparaison/", next_plan.comparison_page, name="comparison"),
    path("plans/<slug:slug>/comparaison.xlsx", exports.comparison_xlsx, name="comparison_xlsx"),
]

# A fiche-year's discussion between its pilots and SCP (the comité reads it): threads and messages.
discussion_pages = [
    path("plans/<slug:slug>/fiches/<int:number>/echanges/<int:year>/", discussions.threads, name="threads"),
    path(
        "plans/<slug:slug>/fiches/<int:number>/echanges/<int:year>/fils/<int:pk>/<str:action>/",
        discussions.thread_action,
        name="thread_action",
    ),
]

# The public site: readable without an account (spaser.middleware lets /public/ through). A plan's
# address is its slug, which SCP never changes once the plan is published.
public_pages = [
    path("", public.public_index, name="index"),
    path("catalogue.jsonld", public.public_catalogue, name="catalogue"),
    path("schemas/<str:filename>", public.public_schema, name="schema"),
    # The legal pages (before the plans' addresses, which they would otherwise read as a slug).
    path("accessibilite/", public.public_accessibility, name="accessibility"),
    path("mentions-legales/", public.public_legal_notice, name="legal_notice"),
    path("donnees-personnelles/", public.public_personal_data, name="personal_data"),
    path("<slug:slug>/", public.public_plan, name="plan"),
    path("<slug:slug>/fiches/<int:number>/", public.public_fiche, name="fiche"),
    path("<slug:slug>/schema.pdf", public.public_schema_document_pdf, name="schema_document_pdf"),
    path("<slug:slug>/bilans/", public.public_bilan_list, name="bilans"),
    path("<slug:slug>/bilans/<str:scope>/v<int:version>/", public.public_bilan_detail, name="bilan"),
    path("<slug:slug>/bilans/<str:scope>/v<int:version>/pdf/", public.public_bilan_pdf, name="bilan_pdf"),
    path(
        "<slug:slug>/comparaison-nationale/",
        national.public_comparison_latest,
        name="national_comparison_latest",
    ),
    path(
        "<slug:slug>/comparaison-nationale/<int:year>/",
        national.public_comparison,
        name="national_comparison",
    ),
    path("<slug:slug>/donnees/", public.public_data, name="data"),
    path("<slug:slug>/donnees/<str:filename>", public.public_data_file, name="data_file"),
]

# Signing in and out (password, single sign-on), password reset, the invitation's link: open to anyone
# (spaser.middleware lets these prefixes through); the signed-in person's own pages ("Mon compte").
sign_in_pages = [
    path("connexion/", account.SignInView.as_view(), name="login"),
    path("connexion/sso/", account.SSOStartView.as_view(), name="oidc_start"),
    path("connexion/sso/retour/", account.SSOCallbackView.as_view(), name="oidc_callback"),
    path("deconnexion/", account.sign_out, name="logout"),
    path(
        "mot-de-passe-oublie/",
        auth_views.PasswordResetView.as_view(
            html_email_template_name="registration/password_reset_email.html",
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe-oublie/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe-oublie/termine/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("invitation/<uidb64>/<token>/", account.invitation_accept, name="invitation_accept"),
    path("mon-compte/", account.account, name="account"),
    path("mon-compte/mot-de-passe/", account.PasswordChangeView.as_view(), name="password_change"),
    path(
        "mon-compte/mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

# Background jobs (a PDF render, a DECP import): their page, their result, running them again.
job_pages = [
    path("travaux/<int:pk>/", jobs.job_detail, name="detail"),
    path("travaux/<int:pk>/resultat/", jobs.job_download, name="download"),
    path("travaux/<int:pk>/relancer/", jobs.job_retry, name="retry"),
]

urlpatterns = [
    path("", plans.home, name="home"),
    path("", include(sign_in_pages)),
    path("sitemap.xml", public.public_sitemap, name="sitemap"),
    path("public/", include((public_pages, "public"))),
    path("", include((plan_exports, "actions"))),
    path("", include((register_pages, "contracts"))),
    path("", include((national_pages, "national"))),
    path("", include((follow_up, "indicators"))),
    path("", include((evidence_pages, "evidence"))),
    path("", include((bilan_pages, "reporting"))),
    path("", include((next_plan_pages, "planning"))),
    path("", include((discussion_pages, "discussions"))),
    path("", include((job_pages, "jobs"))),
]

# The person's notification preferences, and the page the e-mails' one-click link opens (no login: its
# signed token names the person; spaser.middleware lets it through).
urlpatterns += [
    path("mon-compte/notifications/", notifications.preferences, name="notification_preferences"),
    path(
        "notifications/preference/<str:token>/",
        notifications.preference_change,
        name="notification_preference_change",
    ),
]
