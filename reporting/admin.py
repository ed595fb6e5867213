from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from core import rights

from . import services
from .models import PublishedBilan


@admin.register(PublishedBilan)
class PublishedBilanAdmin(SimpleHistoryAdmin):
    """Published versions are frozen: the admin only shows them, and makes them public or not through
    the same service as the bilan page (which refuses a version with figures not validated).

    Publishing goes through the bilan page (reporting.services.bilan_publish), never through a form here.
    """

    list_display = ("__str__", "plan", "year", "version", "published_at", "published_by", "is_public")
    list_filter = ("plan", "year", "is_public")
    fields = ("plan", "year", "version", "published_at", "published_by", "sha256", "is_public")
    readonly_fields = fields
    actions = ["make_public", "make_private"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data", "pdf").select_related("plan", "published_by")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _set_public(self, request, queryset, is_public: bool) -> None:
        rights.require(rights.may_publish(request.user), "Publication réservée au service commande publique.")
        for bilan in queryset:
            try:
                services.published_bilan_set_public(bilan=bilan, is_public=is_public, user=request.user)
            except services.PublicationRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                state = "public" if is_public else "n'est plus public"
                self.message_user(request, f"{bilan} : {state}.", messages.SUCCESS)

    @admin.action(description="Rendre public (site public, sans connexion)")
    def make_public(self, request, queryset):
        self._set_public(request, queryset, True)

    @admin.action(description="Retirer du site public")
    def make_private(self, request, queryset):
        self._set_public(request, queryset, False)
