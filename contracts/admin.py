"""The contracts register in the admin (SCP).

The register is written by DECP imports only: its list is read-only, with its history. SCP imports
files from it ("Importer des fichiers DECP": the pages are in admin_views, wired here). The plan's
legal targets, the national references and the fiche indicators computed from the register are
edited like the plan's content: version check, history author, writes through the plan's services
(`PlanContentAdmin`).
"""

from django.contrib import admin
from django.db import models
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from actions.admin import PlanContentAdmin
from actions.admin_base import ReadOnlyAdmin, records_table
from actions.models import Plan
from core import rights
from core.values import format_number

from . import admin_views
from .models import (
    Contract,
    ContractCorrection,
    DecpImport,
    LegalTarget,
    NationalReference,
    RegisterIndicator,
    Threshold,
)

# --- the register, read-only ---------------------------------------------------------------------------


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    change_list_template = "admin/contracts/contract/change_list.html"
    list_display = [
        "contract_id",
        "short_object",
        "buyer_siret",
        "nature",
        "notified_on",
        "amount",
        "social",
        "reserved",
        "environmental",
        "corrected",
        "excluded",
        "is_demo",
    ]
    list_filter = [
        "year",
        "nature",
        "social",
        "environmental",
        "reserved",
        "corrected",
        "excluded",
        "buyer_siret",
        "is_demo",
    ]
    search_fields = ["object", "=contract_id", "=uid"]
    fieldsets = [
        (None, {"fields": ["uid", "buyer_siret", "contract_id", "nature", "nature_label", "object"]}),
        ("Passation", {"fields": ["cpv", "procedure", "notified_on", "year", "holders"]}),
        (
            "Montants (€ HT)",
            {"fields": ["initial_amount", "current_amount", "published_amount", "modifications"]},
        ),
        (
            "Considérations sociales et environnementales",
            {
                "fields": [
                    "social",
                    ("social_clause", "social_criterion", "reserved"),
                    "environmental",
                    ("environmental_clause", "environmental_criterion"),
                    ("corrected", "excluded"),
                    "published",
                ]
            },
        ),
        ("Source", {"fields": ["published_on", "source_file", "is_demo"]}),
    ]

    @admin.display(description="objet", ordering="object")
    def short_object(self, obj):
        return obj.object if len(obj.object) <= 80 else f"{obj.object[:79]}…"

    @admin.display(description="montant initial (€ HT)", ordering="initial_amount")
    def amount(self, obj):
        if obj.initial_amount is None:
            return f"« {obj.published_amount} »" if obj.published_amount else "—"
        return format_number(obj.initial_amount, 2)

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            # csrf_exempt here, csrf_protect inside (admin_views.decp_import): the upload's size limit
            # must be set before the CSRF check reads the request's body (Django's documented pattern
            # for upload handlers).
            path("import/", self.admin_site.admin_view(csrf_exempt(self.import_view)), name=f"{info}_import"),
            path(
                "import/confirmer/",
                self.admin_site.admin_view(require_POST(self.process_import_view)),
                name=f"{info}_process_import",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": rights.may_import_contracts(request.user)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        return admin_views.decp_import(self, request)

    def process_import_view(self, request):
        return admin_views.decp_confirm_view(self, request)


@admin.register(DecpImport)
class DecpImportAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "user", "files_list", "read", "kept", "new", "changed", "unchanged"]
    list_display += ["skipped_count", "notices_count", "seconds", "is_demo"]
    list_filter = ["is_demo", "user"]
    list_select_related = ["user"]
    date_hierarchy = "started_at"
    fields = [
        "started_at",
        "user",
        "files_list",
        "buyers_list",
        ("read", "kept"),
        ("new", "changed", "unchanged"),
        ("no_buyer", "not_records"),
        "seconds",
        "is_demo",
        "skipped_table",
        "notices_table",
    ]
    readonly_fields = ["files_list", "buyers_list", "skipped_table", "notices_table", "started_at"]

    @admin.display(description="fichiers")
    def files_list(self, obj):
        return ", ".join(obj.files)

    @admin.display(description="acheteurs retenus (SIRET)")
    def buyers_list(self, obj):
        return ", ".join(obj.buyers)

    @admin.display(description="ignorés")
    def skipped_count(self, obj):
        return len(obj.skipped)

    @admin.display(description="à vérifier")
    def notices_count(self, obj):
        return len({(n.get("buyer"), n.get("id")) for n in obj.notices})

    @admin.display(description="contrats gardés, à vérifier")
    def notices_table(self, obj):
        return records_table(obj.notices, DECP_RECORD_COLUMNS, css_class="decp-notices")

    @admin.display(description="contrats ignorés (non conformes)")
    def skipped_table(self, obj):
        return records_table(obj.skipped, DECP_RECORD_COLUMNS, css_class="decp-skipped")


DECP_RECORD_COLUMNS = [
    ("file", "Fichier"),
    ("id", "Identifiant"),
    ("buyer", "Acheteur (SIRET)"),
    ("reason", "Motif"),
]


# --- what SCP sets: targets, national references, fiche indicators from the register --------------------


class RegisterContentAdmin(PlanContentAdmin):
    """Version check, history author and writes through the plan's services; SCP only writes
    (core.rights: "import contracts (DECP), set the legal targets")."""

    def has_add_permission(self, request, obj=None):
        return rights.may_import_contracts(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return rights.may_import_contracts(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return rights.may_import_contracts(request.user) and super().has_delete_permission(request, obj)


@admin.register(LegalTarget)
class LegalTargetAdmin(RegisterContentAdmin):
    list_display = ["category", "measure", "share", "year", "plan"]
    list_filter = ["plan", "category", "measure"]


@admin.register(NationalReference)
class NationalReferenceAdmin(RegisterContentAdmin):
    list_display = ["category", "measure", "year", "share", "source"]
    list_filter = ["category", "measure", "year"]
    search_fields = ["source"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):  # an address typed without scheme is https (Django 6)
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(RegisterIndicator)
class RegisterIndicatorAdmin(RegisterContentAdmin):
    list_display = ["indicator", "category", "holders", "measure"]
    list_filter = ["category", "holders", "measure", "indicator__fiche__plan"]
    search_fields = ["indicator__code", "indicator__label"]
    list_select_related = ["indicator"]
    autocomplete_fields = ["indicator"]


@admin.register(Threshold)
class ThresholdAdmin(RegisterContentAdmin):
    list_display = ["kind", "amount", "valid_from", "source"]
    list_filter = ["kind"]
    search_fields = ["source"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(ContractCorrection)
class ContractCorrectionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """SCP's corrections, with their history: made on the contract's page (services.contract_correct),
    where the published value stands beside the correction."""

    list_display = ["contract", "excluded", "reason", "updated_by", "updated_at", "contract_page"]
    list_filter = ["excluded", "updated_by"]
    list_select_related = ["contract", "updated_by"]
    search_fields = ["contract__contract_id", "contract__uid", "reason"]

    @admin.display(description="page du contrat")
    def contract_page(self, obj):
        plan = Plan.objects.filter(buyers__siret=obj.contract.buyer_siret).order_by("-start_year").first()
        if plan is None:
            return "—"
        url = reverse("contracts:contract_detail", args=[plan.slug, obj.contract_id])
        return format_html('<a href="{}">Voir et corriger</a>', url)
