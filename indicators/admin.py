"""The follow-up in the admin (SCP): values, reviews and campaigns, each write through its service.

A year the follow-up rule refuses (indicators.rules: the plan's state, a validated year) is refused
here as everywhere: the form asks that rule and says so next to the fields, the typing kept, and
nothing is written; a refusal the service raises at the save is shown as the admin's message. The
import page of the values workbook is admin_views'.

The fiches' list gains each fiche's current progress (the follow-up plugs into the plan's admin by
registering a subclass of its FicheAdmin).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin

from actions import states
from actions.admin import FicheAdmin, PlanContentAdmin, VersionedForm
from actions.enums import ProgressStatus
from actions.models import Fiche, Plan
from core import rights
from core.excel import files
from core.versioning import StaleWrite

from . import admin_views, rules, values_workbook
from .models import (
    NO_PROGRESS,
    UNKNOWN_PROGRESS,
    UNKNOWN_PROGRESS_LABEL,
    AnnualReview,
    Campaign,
    IndicatorValue,
)
from .models import current_progress as progress_of
from .services import admin_edits, campaigns, workflow


def _run_for_each(modeladmin, request, queryset, action, success: str) -> None:
    """Apply a service to each selected row; each one all or nothing, refusals reported in French."""
    done = 0
    for obj in queryset:
        try:
            action(obj)
        except (rules.WorkflowError, StaleWrite) as error:
            modeladmin.message_user(request, f"{obj} : {error}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, success.format(n=done), messages.SUCCESS)


def _year_refusal(obj) -> str | None:
    """A row of the follow-up is written only while its plan's state runs its year's follow-up: the
    follow-up rule (indicators.rules), asked beforehand to open the row read-only."""
    plan = states.plan_of(obj) if obj is not None else None
    return rules.follow_up_refusal(plan=plan, years={obj.year}) if plan is not None else None


class FollowUpAdmin(PlanContentAdmin):
    """An admin of the follow-up: its forms refuse a validated year, its writes use its services."""

    refusals = (*PlanContentAdmin.refusals, rules.WorkflowError, PermissionDenied)

    def state_refusal(self, obj) -> str | None:
        return _year_refusal(obj)


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


class FollowUpForm(VersionedForm):
    """A form of the follow-up: the follow-up rule is asked for the row's year (indicators.rules)."""

    def state_refusal(self, obj) -> str | None:
        return _year_refusal(obj) if obj.year else None


class IndicatorValueForm(FollowUpForm):
    def write_refusal(self, obj, deleting):
        years = {obj.year}
        if obj.pk:
            years |= set(IndicatorValue.objects.filter(pk=obj.pk).values_list("year", flat=True))
        return rules.follow_up_refusal(fiche=obj.indicator.fiche, years=years) if obj.indicator_id else None


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
        admin_edits.indicator_value_save(value=obj, user=request.user, seen_version=seen_version)

    def delete_row(self, request, obj, seen_version=None):
        admin_edits.indicator_value_delete(value=obj, user=request.user, seen_version=seen_version)

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

    def import_action(self, request, **kwargs):
        return admin_views.values_import_preview(self, request)

    def process_import(self, request, **kwargs):
        return admin_views.values_import_confirm(self, request)

    @staticmethod
    def _changelist(opts) -> str:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


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
        return rules.follow_up_refusal(fiche=obj.fiche, years=years) if obj.fiche_id else None


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
    actions = ["validate_reviews", "validate_reviews_confirmed", "return_reviews", "reopen_reviews"]

    def save_row(self, request, obj, seen_version):
        admin_edits.annual_review_save(review=obj, user=request.user, seen_version=seen_version)

    def delete_row(self, request, obj, seen_version=None):
        admin_edits.annual_review_delete(review=obj, user=request.user, seen_version=seen_version)

    @admin.action(description="Valider les bilans soumis sélectionnés")
    def validate_reviews(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset.select_related("fiche"),
            lambda r: workflow.fiche_year_validate(fiche=r.fiche, year=r.year, user=request.user),
            "{n} bilan(s) validé(s).",
        )

    @admin.action(description="Valider les bilans soumis sélectionnés, même avec des échanges ouverts")
    def validate_reviews_confirmed(self, request, queryset):
        # What the plain action refuses to validate without a confirmation (open discussions), SCP
        # confirms here by choosing this action.
        _run_for_each(
            self,
            request,
            queryset.select_related("fiche"),
            lambda r: workflow.fiche_year_validate(
                fiche=r.fiche, year=r.year, user=request.user, confirm=True
            ),
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
