import re
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from actions import roles
from actions.importing import AllOrNothingImportMixin
from actions.models import Plan

from . import excel, imports, services
from .models import AnnualReview, Campaign, Indicator, IndicatorValue
from .resources import IndicatorResource, IndicatorsXLSX


def _run_for_each(modeladmin, request, queryset, action, success: str) -> None:
    """Apply a service to each selected row; each one all or nothing, refusals reported in French."""
    done = 0
    for obj in queryset:
        try:
            action(obj)
        except services.WorkflowError as error:
            modeladmin.message_user(request, f"{obj} : {error}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, success.format(n=done), messages.SUCCESS)


@admin.register(Indicator)
class IndicatorAdmin(AllOrNothingImportMixin, ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [IndicatorResource]
    formats = [IndicatorsXLSX]
    list_display = ["code", "label", "kind", "value_type", "unit", "target_value", "target_year", "fiche"]
    list_filter = [
        "fiche__plan",
        "kind",
        "value_type",
        ("fiche__objective__axis", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["code", "label", "group", "fiche__title"]
    list_select_related = ["fiche"]
    ordering = ["fiche__number", "position"]


class ValuesImportForm(forms.Form):
    import_file = forms.FileField(
        label="Classeur Excel (.xlsx)",
        help_text="La feuille « Valeurs » telle que l'export la produit : une ligne par indicateur, "
        "une colonne par année. Une cellule vidée n'efface rien : écrivez « SUPPRIMER » pour "
        "supprimer une valeur.",
    )


_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
_SESSION_KEY = "indicators_values_import"


def _pending_dir() -> Path:
    """Where a previewed file waits for its confirmation; previews abandoned for a day are swept."""
    path = Path(tempfile.gettempdir()) / "spaser-values-imports"
    path.mkdir(mode=0o700, exist_ok=True)
    stale = time.time() - 24 * 3600
    for old in path.glob("*.xlsx"):
        if old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    return path


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ImportExportMixin, SimpleHistoryAdmin):
    """Import and export go through the "Valeurs" workbook (one column per year), not a flat resource."""

    list_display = ["indicator", "year", "display_value", "is_demo", "updated_by", "updated_at"]
    list_filter = ["year", "is_demo", "indicator__kind", "indicator__fiche__plan"]
    search_fields = ["indicator__code", "indicator__label", "comment", "value_text"]
    list_select_related = ["indicator", "updated_by"]
    readonly_fields = ["created_at", "updated_at", "created_by", "updated_by"]
    autocomplete_fields = ["indicator"]

    @admin.display(description="valeur")
    def display_value(self, obj):
        return obj.display()

    def save_model(self, request, obj, form, change):
        # An admin edit moves the version on, so a pilot's page opened before it detects the change.
        if change:
            IndicatorValue.objects.filter(pk=obj.pk).update(version=F("version") + 1)
            obj.version += 1
        obj.updated_by = request.user
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_import_permission(self, request):
        return roles.is_scp(request.user)

    def has_export_permission(self, request):
        return roles.is_scp(request.user) or roles.is_committee(request.user)

    def export_action(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        plan = Plan.objects.current()
        if plan is None:
            messages.error(request, "Aucun plan n'est chargé : il n'y a rien à exporter.")
            return HttpResponseRedirect(self._changelist(self.model._meta))
        response = HttpResponse(excel.values_workbook(plan), content_type=excel.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{plan.slug}-valeurs.xlsx"'
        return response

    def _render(self, request, context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Importer des valeurs annuelles",
            **context,
        }
        return TemplateResponse(request, "admin/indicators/indicatorvalue/values_import.html", context)

    def import_action(self, request, **kwargs):
        """Step 1: upload, dry run, preview of new / changed / unchanged values (nothing written)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ValuesImportForm(request.POST or None, request.FILES or None)
        if request.method != "POST" or not form.is_valid():
            return self._render(request, {"form": form})
        upload = form.cleaned_data["import_file"]
        try:
            data = imports.read_upload(upload)
        except excel.ExcelFileError as exc:
            result = imports.ValuesImportResult(dry_run=True, file_error=str(exc))
        else:
            result = imports.values_import(file=data, user=request.user, dry_run=True)
        token = ""
        if not result.has_errors:
            token = secrets.token_hex(16)
            (_pending_dir() / f"{token}.xlsx").write_bytes(data)
            request.session[_SESSION_KEY] = {"token": token, "name": upload.name}
        return self._render(
            request, {"form": form, "result": result, "token": token, "file_name": upload.name}
        )

    @classmethod
    def _pending(cls, request) -> Path | None:
        pending = request.session.get(_SESSION_KEY) or {}
        token = request.POST.get("token", "")
        if not _TOKEN_RE.match(token) or pending.get("token") != token:
            return None
        path = _pending_dir() / f"{token}.xlsx"
        return path if path.exists() else None

    @classmethod
    def _forget(cls, request, path: Path | None) -> None:
        request.session.pop(_SESSION_KEY, None)
        if path is not None:
            path.unlink(missing_ok=True)

    @staticmethod
    def _changelist(opts) -> str:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    def process_import(self, request, **kwargs):
        """Step 2: confirm. The file is validated again against today's data, in one transaction."""
        return require_POST(self._process_import)(request, **kwargs)

    def _process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        path = self._pending(request)
        if path is None:
            messages.error(
                request, "Cet aperçu d'import a expiré ou a déjà été confirmé : recommencez l'import."
            )
            return HttpResponseRedirect(reverse("admin:indicators_indicatorvalue_import"))
        if "cancel" in request.POST:
            self._forget(request, path)
            messages.info(request, "Import abandonné : rien n'a été enregistré.")
            return HttpResponseRedirect(self._changelist(self.model._meta))
        result = imports.values_import(file=path.read_bytes(), user=request.user, dry_run=False)
        self._forget(request, path)
        if result.has_errors:
            messages.error(
                request,
                "Import annulé, rien n'a été enregistré : les données ont changé depuis l'aperçu. "
                "Corrigez les erreurs ci-dessous puis relancez l'import.",
            )
            return self._render(
                request, {"form": ValuesImportForm(), "result": result, "confirm_failed": True}
            )
        messages.success(
            request,
            f"Import terminé : {len(result.new)} valeur(s) ajoutée(s), {len(result.changed)} modifiée(s), "
            f"{len(result.deleted)} supprimée(s), {len(result.unchanged)} inchangée(s).",
        )
        return HttpResponseRedirect(self._changelist(self.model._meta))


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["year", "plan", "deadline", "status", "opened_at", "closed_at"]
    list_filter = ["plan", "status"]
    actions = ["close_campaigns", "reopen_campaigns"]

    @admin.action(description="Fermer les campagnes sélectionnées")
    def close_campaigns(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset.filter(status="ouverte"),
            lambda c: services.campaign_close(campaign=c, user=request.user),
            "{n} campagne(s) fermée(s).",
        )

    @admin.action(description="Rouvrir les campagnes sélectionnées (même date limite)")
    def reopen_campaigns(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset.select_related("plan"),
            lambda c: services.campaign_open(
                plan=c.plan, year=c.year, deadline=c.deadline, user=request.user
            ),
            "{n} campagne(s) rouverte(s).",
        )


@admin.register(AnnualReview)
class AnnualReviewAdmin(SimpleHistoryAdmin):
    list_display = ["fiche", "year", "status", "progress_status", "submitted_at", "validated_at", "is_demo"]
    list_filter = ["year", "status", "progress_status", "is_demo"]
    search_fields = ["fiche__title", "achievements", "difficulties", "outlook"]
    list_select_related = ["fiche"]
    readonly_fields = [
        "status",
        "submitted_at",
        "submitted_by",
        "validated_at",
        "validated_by",
        "updated_at",
        "updated_by",
    ]
    actions = ["validate_reviews", "return_reviews", "reopen_reviews"]

    def save_model(self, request, obj, form, change):
        # Same as for values: an admin edit is a new version, so stale pilot pages see a conflict.
        if change:
            AnnualReview.objects.filter(pk=obj.pk).update(version=F("version") + 1)
            obj.version += 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Valider les bilans soumis sélectionnés")
    def validate_reviews(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset.select_related("fiche"),
            lambda r: services.fiche_year_validate(fiche=r.fiche, year=r.year, user=request.user),
            "{n} bilan(s) validé(s).",
        )

    @admin.action(
        description="Renvoyer au pilote les bilans soumis sélectionnés (commentaire : « À revoir »)"
    )
    def return_reviews(self, request, queryset):
        comment = "À revoir : voir avec le service commande publique."
        _run_for_each(
            self,
            request,
            queryset.select_related("fiche"),
            lambda r: services.fiche_year_return(
                fiche=r.fiche, year=r.year, user=request.user, comment=comment
            ),
            "{n} bilan(s) renvoyé(s) au pilote.",
        )

    @admin.action(description="Rouvrir les bilans validés sélectionnés")
    def reopen_reviews(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset.select_related("fiche"),
            lambda r: services.fiche_year_reopen(fiche=r.fiche, year=r.year, user=request.user),
            "{n} bilan(s) rouvert(s).",
        )
