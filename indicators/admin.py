from django.contrib import admin, messages
from django.db.models import F
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import AnnualReview, Campaign, Indicator, IndicatorValue


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
class IndicatorAdmin(ImportExportMixin, SimpleHistoryAdmin):
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


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ImportExportMixin, SimpleHistoryAdmin):
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
