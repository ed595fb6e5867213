"""The follow-up in the admin (SCP): values, reviews and campaigns, each write through its service.

A validated year is locked here as everywhere: the form says so next to the fields, the typing kept,
and nothing is written. So is a year the plan's state no longer follows (actions.states): none in a
plan in preparation; in a closed plan, only its last year until its final bilan is published.

The fiches' list gains each fiche's current progress (the follow-up plugs into the plan's admin by
registering a subclass of its FicheAdmin).
"""

import re
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin

from actions import states
from actions.admin import FicheAdmin, PlanContentAdmin, VersionedForm
from actions.enums import ProgressStatus
from actions.models import Fiche, Plan
from core import rights
from core.excel import files
from core.versioning import StaleWrite

from . import values_workbook
from .models import (
    NO_PROGRESS,
    UNKNOWN_PROGRESS,
    UNKNOWN_PROGRESS_LABEL,
    AnnualReview,
    Campaign,
    IndicatorValue,
)
from .models import current_progress as progress_of
from .services import campaigns, entry, workflow


def _run_for_each(modeladmin, request, queryset, action, success: str) -> None:
    """Apply a service to each selected row; each one all or nothing, refusals reported in French."""
    done = 0
    for obj in queryset:
        try:
            action(obj)
        except (workflow.WorkflowError, StaleWrite) as error:
            modeladmin.message_user(request, f"{obj} : {error}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, success.format(n=done), messages.SUCCESS)


class FollowUpAdmin(PlanContentAdmin):
    """An admin of the follow-up: its forms refuse a validated year, its writes use its services."""

    refusals = (*PlanContentAdmin.refusals, workflow.WorkflowError, PermissionDenied)

    def state_refusal(self, obj) -> str | None:
        """A row of the follow-up is written only while its plan's state runs its year's follow-up."""
        plan = states.plan_of(obj) if obj is not None else None
        return states.follow_up_refusal(plan, obj.year) if plan is not None else None


# --- the fiches' list, with each fiche's current progress -------------------------------------------


class ProgressFilter(admin.SimpleListFilter):
    title = "état d'avancement (dernier bilan validé)"
    parameter_name = "avancement"

    def lookups(self, request, model_admin):
        return [*ProgressStatus.choices, (UNKNOWN_PROGRESS, UNKNOWN_PROGRESS_LABEL)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        progress = AnnualReview.objects.current_progress(queryset.values_list("pk", flat=True))
        if self.value() == UNKNOWN_PROGRESS:
            return queryset.exclude(pk__in=progress)
        return queryset.filter(pk__in=[pk for pk, p in progress.items() if p.code == self.value()])


class FicheWithProgressAdmin(FicheAdmin):
    import_export_change_list_template = "admin/indicators/fiche/change_list_excel.html"
    list_display = [*FicheAdmin.list_display[:-1], "progress", FicheAdmin.list_display[-1]]
    list_filter = [*FicheAdmin.list_filter, ProgressFilter]

    def get_queryset(self, request):
        validated = AnnualReview.objects.validated()
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("reviews", queryset=validated, to_attr="validated_reviews"))
        )

    @admin.display(description="avancement")
    def progress(self, obj):
        reviews = getattr(obj, "validated_reviews", None)
        progress = progress_of(reviews) if reviews is not None else NO_PROGRESS
        return f"{progress.label} ({progress.year})" if progress.year else progress.label


admin.site.unregister(Fiche)
admin.site.register(Fiche, FicheWithProgressAdmin)


# --- values -------------------------------------------------------------------------------------


def _follow_up_refusal(fiche, years) -> str | None:
    """The plan's state, then the validated-year lock, for a row of `fiche`'s follow-up."""
    return workflow.state_refusal(plan=fiche.plan, years=years) or workflow.locked_refusal(
        fiche=fiche, years=years
    )


class FollowUpForm(VersionedForm):
    """A form of the follow-up: its plan's state is asked for the row's year (actions.states)."""

    def state_refusal(self, obj) -> str | None:
        plan = states.plan_of(obj)
        return states.follow_up_refusal(plan, obj.year) if plan is not None and obj.year else None


class IndicatorValueForm(FollowUpForm):
    def write_refusal(self, obj, deleting):
        years = {obj.year}
        if obj.pk:
            years |= set(IndicatorValue.objects.filter(pk=obj.pk).values_list("year", flat=True))
        return _follow_up_refusal(obj.indicator.fiche, years) if obj.indicator_id else None


class ValuesImportForm(forms.Form):
    plan = forms.ModelChoiceField(
        Plan.objects.order_by("-start_year"),
        required=False,
        label="Plan",
        empty_label="Le plan en vigueur",
        help_text="Le plan dont le classeur porte les valeurs.",
    )
    import_file = forms.FileField(
        label="Classeur Excel (.xlsx)",
        help_text="La feuille « Valeurs » telle que l'export la produit : une ligne par indicateur, "
        "une colonne par année. Une cellule vidée n'efface rien : écrivez « SUPPRIMER » pour "
        "supprimer une valeur.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].initial = Plan.objects.current()

    def clean_plan(self):
        # A plan whose state refuses even its last year's follow-up takes no values at all; a closed
        # plan still takes its last year's column until its final bilan is published (cell by cell).
        plan = self.cleaned_data["plan"] or Plan.objects.current()
        if plan is None:
            raise forms.ValidationError(
                "Aucun plan n'est chargé : il n'y a rien à quoi rattacher ces valeurs."
            )
        refusal = states.follow_up_refusal(plan, plan.end_year)
        if refusal:
            raise forms.ValidationError(refusal, code="plan_state")
        return plan


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
class IndicatorValueAdmin(ImportExportMixin, FollowUpAdmin):
    """Import and export go through the "Valeurs" workbook (one column per year), not a flat resource."""

    form = IndicatorValueForm
    list_display = ["indicator", "year", "display_value", "is_demo", "updated_by", "updated_at"]
    list_filter = ["year", "is_demo", "indicator__kind", "indicator__fiche__plan"]
    search_fields = ["indicator__code", "indicator__label", "comment", "value_text"]
    list_select_related = ["indicator", "updated_by"]
    readonly_fields = ["created_at", "updated_at", "created_by", "updated_by"]
    autocomplete_fields = ["indicator"]

    @admin.display(description="valeur")
    def display_value(self, obj):
        return obj.display()

    def save_row(self, request, obj, seen_version):
        entry.indicator_value_save(value=obj, user=request.user, seen_version=seen_version)

    def delete_row(self, request, obj, seen_version=None):
        entry.indicator_value_delete(value=obj, user=request.user, seen_version=seen_version)

    def has_import_permission(self, request):
        return rights.may_import(request.user)

    def has_export_permission(self, request):
        return rights.may_export(request.user)

    def export_action(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        plan = Plan.objects.current()
        if plan is None:
            messages.error(request, "Aucun plan n'est chargé : il n'y a rien à exporter.")
            return HttpResponseRedirect(self._changelist(self.model._meta))
        response = HttpResponse(values_workbook.values_workbook(plan), content_type=files.XLSX_CONTENT_TYPE)
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
            data = files.read_upload(upload)
        except files.ExcelFileError as exc:
            result = values_workbook.ValuesImportResult(dry_run=True, file_error=str(exc))
        else:
            result = values_workbook.values_import(
                file=data, user=request.user, dry_run=True, plan=form.cleaned_data["plan"]
            )
        token = ""
        if not result.has_errors:
            token = secrets.token_hex(16)
            (_pending_dir() / f"{token}.xlsx").write_bytes(data)
            request.session[_SESSION_KEY] = {
                "token": token,
                "name": upload.name,
                "plan": form.cleaned_data["plan"].pk,
            }
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
        plan_pk = (request.session.get(_SESSION_KEY) or {}).get("plan")
        plan = Plan.objects.filter(pk=plan_pk).first() if plan_pk else None
        result = values_workbook.values_import(
            file=path.read_bytes(), user=request.user, dry_run=False, plan=plan
        )
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


class CampaignForm(FollowUpForm):
    def write_refusal(self, obj, deleting):
        if deleting or not obj.plan_id:
            return None
        return campaigns.campaign_refusal(plan=obj.plan, year=obj.year, deadline=obj.deadline)


@admin.register(Campaign)
class CampaignAdmin(FollowUpAdmin):
    form = CampaignForm
    list_display = ["year", "plan", "deadline", "status", "opened_at", "closed_at"]
    list_filter = ["plan", "status"]
    readonly_fields = ["opened_at", "closed_at"]
    actions = ["close_campaigns", "reopen_campaigns"]

    def save_row(self, request, obj, seen_version):
        campaigns.campaign_save(campaign=obj, user=request.user, seen_version=seen_version)

    @admin.action(description="Fermer les campagnes sélectionnées")
    def close_campaigns(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset.open(),
            lambda c: campaigns.campaign_close(campaign=c, user=request.user),
            "{n} campagne(s) fermée(s).",
        )

    @admin.action(description="Rouvrir les campagnes sélectionnées (même date limite)")
    def reopen_campaigns(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset.select_related("plan"),
            lambda c: campaigns.campaign_open(
                plan=c.plan, year=c.year, deadline=c.deadline, user=request.user
            ),
            "{n} campagne(s) rouverte(s).",
        )


class AnnualReviewForm(FollowUpForm):
    def write_refusal(self, obj, deleting):
        years = {obj.year}
        if obj.pk:
            years |= set(AnnualReview.objects.filter(pk=obj.pk).values_list("year", flat=True))
        return _follow_up_refusal(obj.fiche, years) if obj.fiche_id else None


@admin.register(AnnualReview)
class AnnualReviewAdmin(FollowUpAdmin):
    form = AnnualReviewForm
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

    def save_row(self, request, obj, seen_version):
        entry.annual_review_save(review=obj, user=request.user, seen_version=seen_version)

    def delete_row(self, request, obj, seen_version=None):
        entry.annual_review_delete(review=obj, user=request.user, seen_version=seen_version)

    @admin.action(description="Valider les bilans soumis sélectionnés")
    def validate_reviews(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset.select_related("fiche"),
            lambda r: workflow.fiche_year_validate(fiche=r.fiche, year=r.year, user=request.user),
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
            lambda r: workflow.fiche_year_return(
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
            lambda r: workflow.fiche_year_reopen(fiche=r.fiche, year=r.year, user=request.user),
            "{n} bilan(s) rouvert(s).",
        )
