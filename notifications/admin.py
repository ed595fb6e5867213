"""The notifications' log, read-only, for SCP: what was notified to whom, each e-mail sent (delivered
or failed, with the mail server's error), the digests and everyone's preferences (with their history).
Nobody writes here: notifications come from the events, preferences from their owners."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core import rights

from .models import Delivery, Digest, Notification, Preference


class ReadOnlyForScp:
    def has_module_permission(self, request):
        return rights.is_scp(request.user)

    def has_view_permission(self, request, obj=None):
        return rights.is_scp(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyForScp, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "mode", "state", "reason", "year")
    list_filter = ("kind", "state", "mode", "day")
    search_fields = ("recipient__username", "recipient__email", "subject")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyForScp, admin.ModelAdmin):
    list_display = ("created_at", "email", "subject", "state", "error")
    list_filter = ("state",)
    search_fields = ("email", "subject", "recipient__username")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"


@admin.register(Digest)
class DigestAdmin(ReadOnlyForScp, admin.ModelAdmin):
    list_display = ("day", "recipient", "created_at")
    search_fields = ("recipient__username",)
    list_select_related = ("recipient",)


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyForScp, SimpleHistoryAdmin):
    list_display = ("user", "kind", "mode", "updated_at")
    list_filter = ("kind", "mode")
    search_fields = ("user__username",)
    list_select_related = ("user",)
