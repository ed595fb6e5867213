"""The national computations in the admin (SCP): each dataset with its history, published on the
public site or not through its service; the figures read-only (written by decp_national only)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import NationalDataset, NationalFigure
from .services import dataset_publish

COMPUTED = (
    "label",
    "source_date",
    "files",
    "started_at",
    "user",
    "read",
    "counted",
    "buyers",
    "skipped_count",
    "no_buyer",
    "skipped",
    "seconds",
    "is_demo",
)


@admin.register(NationalDataset)
class NationalDatasetAdmin(SimpleHistoryAdmin):
    """Computed by `manage.py decp_national`: SCP only decides whether the public site shows it."""

    list_display = ["label", "source_date", "started_at", "read", "counted", "buyers", "published", "is_demo"]
    list_filter = ["published", "is_demo"]
    fields = ["published", *COMPUTED]
    readonly_fields = COMPUTED

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        dataset_publish(dataset=obj, published=obj.published, user=request.user)


@admin.register(NationalFigure)
class NationalFigureAdmin(admin.ModelAdmin):
    list_display = ["buyer_siret", "year", "contracts", "social", "environmental", "dataset"]
    list_filter = ["year", "dataset"]
    search_fields = ["buyer_siret", "buyer_siren"]
    list_select_related = ["dataset"]
    show_full_result_count = False  # hundreds of thousands of rows

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
