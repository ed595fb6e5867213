"""The evidence in the admin (SCP): listed, searched, filtered and read, never edited nor deleted by
hand. A file is downloaded through the site's page (which asks the rights), never from the storage's
address; removing goes through the same service as the entry page (the row and its history stay)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from core.versioning import StaleWrite
from indicators.rules import WorkflowError

from . import services
from .files import megabytes
from .models import Evidence


class RemovedFilter(admin.SimpleListFilter):
    title = "retrait"
    parameter_name = "retiree"

    def lookups(self, request, model_admin):
        return [("non", "En cours"), ("oui", "Retirées")]

    def queryset(self, request, queryset):
        if self.value() == "non":
            return queryset.filter(removed_at__isnull=True)
        if self.value() == "oui":
            return queryset.filter(removed_at__isnull=False)
        return queryset


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = (
        "title",
        "fiche",
        "year",
        "kind",
        "indicator",
        "file_name",
        "shown_size",
        "added_by",
        "added_at",
        "removed_at",
    )
    list_filter = (RemovedFilter, "kind", "year", "fiche__plan")
    search_fields = ("title", "file_name", "url", "sha256", "fiche__title", "indicator__code")
    list_select_related = ("fiche", "indicator", "added_by")
    date_hierarchy = "added_at"
    fields = (
        "fiche",
        "year",
        "indicator",
        "milestone",
        "title",
        "dated",
        "kind",
        "download",
        "file_name",
        "content_type",
        "shown_size",
        "sha256",
        "url",
        "added_at",
        "added_by",
        "removed_at",
        "removed_by",
    )
    readonly_fields = fields
    actions = ["remove"]

    def has_add_permission(self, request):
        return False  # added from the entry page, where the file is checked and the year's rule asked

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # removed through the service: the row and its history stay

    @admin.display(description="taille")
    def shown_size(self, obj: Evidence) -> str:
        return megabytes(obj.size) if obj.file_name else "—"

    @admin.display(description="fichier")
    def download(self, obj: Evidence) -> str:
        if not obj.file_name:
            return "—"
        if obj.is_removed:
            return f"{obj.file_name} (supprimé du stockage)"
        url = reverse("evidence:download", args=[obj.fiche.plan.slug, obj.fiche.number, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.file_name)

    @admin.action(description="Retirer les preuves sélectionnées (la trace en est conservée)")
    def remove(self, request, queryset):
        done = 0
        for evidence in queryset.filter(removed_at__isnull=True):
            try:
                services.evidence_remove(evidence=evidence, user=request.user, seen_version=None)
            except (services.EvidenceError, WorkflowError, StaleWrite, PermissionDenied) as error:
                self.message_user(request, f"{evidence} : {error}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} preuve(s) retirée(s).", messages.SUCCESS)
