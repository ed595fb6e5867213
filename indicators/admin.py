from django.contrib import admin
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from .models import AnnualReview, Campaign, Indicator, IndicatorValue


@admin.register(Indicator)
class IndicatorAdmin(ImportExportMixin, SimpleHistoryAdmin):
    list_display = ["code", "label", "kind", "value_type", "unit", "target_value", "target_year", "fiche"]
    list_filter = ["fiche__plan", "kind", "value_type", ("fiche__objective__axis", admin.RelatedOnlyFieldListFilter)]
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


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["year", "plan", "deadline", "status", "opened_at", "closed_at"]
    list_filter = ["plan", "status"]


@admin.register(AnnualReview)
class AnnualReviewAdmin(SimpleHistoryAdmin):
    list_display = ["fiche", "year", "status", "progress_status", "submitted_at", "validated_at", "is_demo"]
    list_filter = ["year", "status", "progress_status", "is_demo"]
    search_fields = ["fiche__title", "achievements", "difficulties", "outlook"]
    list_select_related = ["fiche"]
    readonly_fields = ["submitted_at", "submitted_by", "validated_at", "validated_by", "updated_at", "updated_by"]
