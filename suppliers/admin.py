"""The suppliers' data in the admin: what the SIRENE and inclusion imports wrote, read-only (they
are written by the imports only, `manage.py sirene_import` and `inclusion_import`), and the local
area SCP sets for a plan, edited like the plan's content (version check, history, the plan's
services)."""

import re

from django import forms
from django.contrib import admin

from actions.admin_base import PlanContentAdmin, ReadOnlyAdmin, VersionedForm, records_table
from core import rights

from .models import Establishment, InclusionListing, LegalUnit, LocalArea, SupplierImport


@admin.register(LegalUnit)
class LegalUnitAdmin(ReadOnlyAdmin):
    list_display = ["siren", "name", "enterprise_category", "headcount_band", "ess", "legal_category"]
    list_display += ["closed", "source_date", "is_demo"]
    list_filter = ["enterprise_category", "ess", "closed", "is_demo"]
    search_fields = ["=siren", "name"]


@admin.register(Establishment)
class EstablishmentAdmin(ReadOnlyAdmin):
    list_display = ["siret", "commune_name", "postal_code", "departement", "is_head_office", "closed"]
    list_display += ["source_date", "is_demo"]
    list_filter = ["departement", "closed", "is_head_office", "is_demo"]
    search_fields = ["=siret", "=siren", "commune_name"]


@admin.register(InclusionListing)
class InclusionListingAdmin(ReadOnlyAdmin):
    list_display = ["siret", "name", "kind", "subkind", "source", "source_date", "is_demo"]
    list_filter = ["kind", "subkind", "is_demo"]
    search_fields = ["=siret", "=siren", "name"]


@admin.register(SupplierImport)
class SupplierImportAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "source", "files_list", "source_date", "read", "kept", "skipped_count"]
    list_display += ["seconds", "user", "is_demo"]
    list_filter = ["source", "is_demo"]
    list_select_related = ["user"]
    search_fields = ["files"]
    date_hierarchy = "started_at"
    fields = ["started_at", "source", "files_list", "source_date", "user", ("read", "kept"), "seconds"]
    fields += ["is_demo", "skipped_table"]
    readonly_fields = ["started_at", "files_list", "skipped_table"]

    @admin.display(description="fichiers")
    def files_list(self, obj):
        return ", ".join(obj.files)

    @admin.display(description="ignorées")
    def skipped_count(self, obj):
        return len(obj.skipped)

    @admin.display(description="lignes ignorées")
    def skipped_table(self, obj):
        columns = [("file", "Fichier"), ("line", "Ligne"), ("id", "Identifiant"), ("reason", "Motif")]
        return records_table(obj.skipped, columns, empty="Aucune.")


DEPARTEMENT = re.compile(r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-8]|98[4-9])$")


class LocalAreaForm(VersionedForm):
    def clean_departements(self):
        codes = [
            code.strip().upper() for code in self.cleaned_data["departements"].split(",") if code.strip()
        ]
        wrong = [code for code in codes if not DEPARTEMENT.match(code)]
        if wrong or not codes:
            raise forms.ValidationError(
                f"Codes de département inconnus : {', '.join(wrong) or 'aucun code'} "
                "(par exemple « 54, 2A, 974 »)."
            )
        return ", ".join(codes)


@admin.register(LocalArea)
class LocalAreaAdmin(PlanContentAdmin):
    """SCP sets it, like the register's targets: version check, history, the plan's services."""

    form = LocalAreaForm
    list_display = ["plan", "departements"]

    def has_add_permission(self, request, obj=None):
        return rights.may_import_contracts(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return rights.may_import_contracts(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return rights.may_import_contracts(request.user) and super().has_delete_permission(request, obj)
