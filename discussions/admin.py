"""The discussions in the admin, for SCP: every thread with its messages, read-only (messages are
written on the discussion page, by the services), resolved or reopened through the services."""

from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from core import rights
from indicators.rules import WorkflowError

from . import services
from .enums import ThreadStatus
from .models import Message, Thread


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("created_at", "author", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(Thread)
class ThreadAdmin(SimpleHistoryAdmin):
    list_display = ("subject", "fiche", "year", "status", "opened_at", "opened_by", "resolved_at")
    list_filter = ("status", "year", "fiche__plan")
    search_fields = ("subject", "messages__body", "fiche__title")
    list_select_related = ("fiche", "opened_by")
    readonly_fields = (
        "fiche",
        "year",
        "subject",
        "indicator",
        "milestone",
        "evidence",
        "status",
        "opened_at",
        "opened_by",
        "resolved_at",
        "resolved_by",
    )
    fields = readonly_fields
    inlines = [MessageInline]
    actions = ["resolve_threads", "reopen_threads"]

    def has_module_permission(self, request):
        return rights.is_scp(request.user)

    def has_view_permission(self, request, obj=None):
        return rights.is_scp(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return rights.is_scp(request.user)

    def _each(self, request, queryset, service, done: str) -> None:
        count = 0
        for thread in queryset.select_related("fiche__plan"):
            try:
                service(thread=thread, user=request.user, seen_version=thread.version)
            except WorkflowError as error:
                self.message_user(request, f"{thread} : {error}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done.format(n=count), messages.SUCCESS)

    @admin.action(description="Marquer comme résolus les fils sélectionnés", permissions=["decide"])
    def resolve_threads(self, request, queryset):
        self._each(
            request,
            queryset.filter(status=ThreadStatus.OPEN),
            services.thread_resolve,
            "{n} fil(s) résolu(s).",
        )

    @admin.action(description="Rouvrir les fils sélectionnés", permissions=["decide"])
    def reopen_threads(self, request, queryset):
        self._each(
            request,
            queryset.filter(status=ThreadStatus.RESOLVED),
            services.thread_reopen,
            "{n} fil(s) rouvert(s).",
        )
