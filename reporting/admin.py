from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import PublishedBilan


@admin.register(PublishedBilan)
class PublishedBilanAdmin(SimpleHistoryAdmin):
    """Published versions are frozen: the admin only shows them and switches `is_public`.

    Publishing goes through the bilan page (reporting.services.bilan_publish), never through a form here.
    """

    list_display = ("__str__", "plan", "year", "version", "published_at", "published_by", "is_public")
    list_filter = ("plan", "year", "is_public")
    fields = ("plan", "year", "version", "published_at", "published_by", "sha256", "is_public")
    readonly_fields = ("plan", "year", "version", "published_at", "published_by", "sha256")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data", "pdf").select_related("plan", "published_by")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
