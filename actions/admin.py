from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import F
from django.http import HttpResponseRedirect
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Indicator

from .importing import AllOrNothingImportMixin
from .models import (
    Actor,
    Axis,
    Direction,
    Fiche,
    FichePilot,
    GlossaryEntry,
    Goal,
    Means,
    Milestone,
    Objective,
    Pack,
    Pilot,
    Plan,
    Principle,
    VigilancePoint,
)
from .resources import FicheResource, FichesXLSX


class StaleEditError(Exception):
    pass


class VersionedAdminForm(forms.ModelForm):
    """Refuses to save over a change made by someone else since the form was opened.

    The form carries the version it was opened at; `clean` compares it with the stored one, and
    `save_model` bumps it with a conditional UPDATE so two concurrent saves cannot both pass.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            seen = cleaned.get("seen_version")
            current = (
                type(self.instance)
                .objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if seen is None or current != seen:
                last = self.instance.history.select_related("history_user").first()
                who = (
                    last.history_user.get_full_name() or last.history_user.username
                    if last and last.history_user
                    else "un autre utilisateur"
                )
                raise forms.ValidationError(
                    f"Cette fiche a été modifiée par {who} depuis que vous l'avez ouverte. Vos saisies sont "
                    "conservées ci-dessous : ouvrez la fiche dans un autre onglet pour voir la version "
                    "enregistrée, puis reportez vos modifications et enregistrez à nouveau.",
                    code="stale",
                )
        return cleaned


class VersionedAdminMixin:
    form = VersionedAdminForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditError:
            # Lost the race between clean() and the save: nothing was written (the view is atomic).
            messages.error(
                request,
                "Cette fiche vient d'être modifiée par quelqu'un d'autre : rien n'a été enregistré. "
                "Vérifiez la version enregistrée ci-dessous puis refaites vos modifications.",
            )
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        if change:
            seen = form.cleaned_data.get("seen_version")
            with transaction.atomic():
                bumped = type(obj).objects.filter(pk=obj.pk, version=seen).update(version=F("version") + 1)
                if not bumped:
                    raise StaleEditError("Modification concurrente détectée.")
                obj.version = seen + 1
                super().save_model(request, obj, form, change)
        else:
            super().save_model(request, obj, form, change)


class FichePilotInline(admin.TabularInline):
    model = FichePilot
    extra = 0
    autocomplete_fields = ["pilot"]


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0
    fields = ["position", "kind", "level", "text", "target_value", "target_unit"]


class MilestoneInline(admin.StackedInline):
    model = Milestone
    extra = 0
    fields = [
        ("position", "kind", "heading"),
        "text",
        ("due_label", "due_precision", "due_year", "due_part", "due_day", "due_relative_year"),
        ("status", "completed_on"),
    ]


class ActorInline(admin.TabularInline):
    model = Actor
    extra = 0
    fields = ["position", "kind", "text"]


class MeansInline(admin.TabularInline):
    model = Means
    extra = 0
    fields = ["position", "kind", "level", "text"]


class VigilanceInline(admin.TabularInline):
    model = VigilancePoint
    extra = 0
    fields = ["position", "text"]


class IndicatorInline(admin.StackedInline):
    model = Indicator
    extra = 0
    fields = [
        ("position", "code", "kind", "value_type", "unit"),
        ("group", "label"),
        ("target_value", "target_year", "baseline_value", "baseline_year"),
    ]


@admin.register(Fiche)
class FicheAdmin(VersionedAdminMixin, AllOrNothingImportMixin, ImportExportMixin, SimpleHistoryAdmin):
    # Import and export the "Fiches" sheet of the plan workbook (exports:plan_xlsx), all or nothing.
    resource_classes = [FicheResource]
    formats = [FichesXLSX]
    import_export_change_list_template = "admin/actions/fiche/change_list_excel.html"
    list_display = ["number", "title", "axis_name", "principles_list", "pilots_list", "status", "is_flagship"]
    list_display_links = ["number", "title"]
    list_filter = [
        "plan",
        ("objective__axis", admin.RelatedOnlyFieldListFilter),
        ("principles", admin.RelatedOnlyFieldListFilter),
        ("pilots__direction", admin.RelatedOnlyFieldListFilter),
        "status",
        "is_flagship",
        "complexity",
        "duration",
    ]
    search_fields = ["=number", "title", "context", "objective__title", "pilots__role", "pilots__service"]
    ordering = ["plan", "number"]
    filter_horizontal = ["principles"]
    inlines = [
        FichePilotInline,
        GoalInline,
        MilestoneInline,
        ActorInline,
        MeansInline,
        IndicatorInline,
        VigilanceInline,
    ]
    fieldsets = [
        (None, {"fields": ["plan", "number", "title", "objective", "principles", "seen_version"]}),
        (
            "Qualification",
            {"fields": ["complexity", "duration", "status", "is_flagship", "pack", "added_on"]},
        ),
        ("Contexte / état des lieux", {"fields": ["context"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("objective__axis", "plan")
            .prefetch_related("principles", "fiche_pilots__pilot__direction")
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "current_plan": Plan.objects.current()}
        return super().changelist_view(request, extra_context)

    @admin.display(description="axe", ordering="objective__axis__position")
    def axis_name(self, obj):
        return obj.objective.axis.name

    @admin.display(description="principes")
    def principles_list(self, obj):
        return " / ".join(p.label for p in obj.principles.all())

    @admin.display(description="pilotes")
    def pilots_list(self, obj):
        return " ; ".join(str(fp.pilot) for fp in obj.fiche_pilots.all())


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["short_title", "title", "buyer", "start_year", "end_year", "adopted_on", "updated_on"]
    search_fields = ["title", "short_title", "buyer"]


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


@admin.register(Axis)
class AxisAdmin(SimpleHistoryAdmin):
    list_display = ["name", "plan", "position"]
    list_filter = ["plan"]
    ordering = ["plan", "position"]
    inlines = [ObjectiveInline]


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "axis"]
    list_filter = ["axis__plan", "axis"]
    search_fields = ["title", "code"]
    list_select_related = ["axis"]


@admin.register(Principle)
class PrincipleAdmin(SimpleHistoryAdmin):
    list_display = ["label", "description", "plan", "position"]
    list_filter = ["plan"]


@admin.register(Direction)
class DirectionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "plan"]
    list_filter = ["plan"]
    search_fields = ["code", "name"]


@admin.register(Pack)
class PackAdmin(SimpleHistoryAdmin):
    list_display = ["name", "plan"]


@admin.register(GlossaryEntry)
class GlossaryEntryAdmin(SimpleHistoryAdmin):
    list_display = ["acronym", "definition", "plan"]
    list_filter = ["plan"]
    search_fields = ["acronym", "definition"]


@admin.register(Pilot)
class PilotAdmin(SimpleHistoryAdmin):
    list_display = ["role", "service", "direction", "fiches_list", "users_list"]
    list_filter = ["plan", ("direction", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["role", "service", "direction__code", "users__username", "users__last_name"]
    filter_horizontal = ["users"]
    list_select_related = ["direction"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("fiche_pilots__fiche", "users")

    @admin.display(description="fiches")
    def fiches_list(self, obj):
        return ", ".join(str(fp.fiche.number) for fp in obj.fiche_pilots.all())

    @admin.display(description="comptes")
    def users_list(self, obj):
        return ", ".join(u.get_full_name() or u.username for u in obj.users.all())


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["fiche", "kind", "text", "due_label", "due_date", "status", "completed_on"]
    list_filter = ["fiche__plan", "kind", "status", "due_precision"]
    search_fields = ["text", "due_label", "fiche__title"]
    list_select_related = ["fiche"]
    ordering = ["fiche__number", "position"]
