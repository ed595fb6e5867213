"""The plan in the admin (SCP): every form, inline, delete and import goes through the plan's services
(the machinery is in admin_base: `PlanContentAdmin`, `PlanContentInline`, `VersionedForm`). The
follow-up (indicators app) adds its column and filter to the fiches' list by registering a subclass
of `FicheAdmin`.

The plan's state (actions.states) comes first: the rows of a closed plan open read-only. The state
itself changes only through the plan list's actions ("Mettre en vigueur", "Clore le plan"), i.e.
`services.plan_state_set`.
"""

from django.contrib import admin, messages
from import_export.admin import ImportExportMixin

from core import rights
from core.excel.admin import AllOrNothingImportMixin
from core.people import person_name

from . import enums, services
from .admin_base import SEEN_VERSION, PlanContentAdmin, PlanContentInline
from .admin_base import VersionedForm as VersionedForm  # re-exported: indicators.admin imports it here
from .excel.plan_workbook import FicheResource, FichesXLSX, IndicatorResource, IndicatorsXLSX
from .models import (
    Actor,
    Axis,
    Buyer,
    Direction,
    Fiche,
    FichePilot,
    GlossaryEntry,
    Goal,
    Indicator,
    Means,
    Milestone,
    Objective,
    Pack,
    Pilot,
    Plan,
    Principle,
    VigilancePoint,
)


class FichePilotInline(PlanContentInline, admin.TabularInline):
    model = FichePilot
    autocomplete_fields = ["pilot"]
    fields = ["position", "pilot"]


class GoalInline(PlanContentInline, admin.TabularInline):
    model = Goal
    fields = ["position", "kind", "level", "text", "target_value", "target_unit"]


class MilestoneInline(PlanContentInline, admin.StackedInline):
    model = Milestone
    fields = [
        ("position", "kind", "heading"),
        "text",
        ("due_label", "due_precision", "due_year", "due_part", "due_day", "due_relative_year"),
        ("status", "completed_on"),
    ]


class ActorInline(PlanContentInline, admin.TabularInline):
    model = Actor
    fields = ["position", "kind", "text"]


class MeansInline(PlanContentInline, admin.TabularInline):
    model = Means
    fields = ["position", "kind", "level", "text"]


class VigilanceInline(PlanContentInline, admin.TabularInline):
    model = VigilancePoint
    fields = ["position", "text"]


def _limit_continues(form_class, plan: Plan | None):
    """The indicator lineage field offers the indicators of the plan's previous plan only (those of any
    plan that has a next one while the plan is not known yet); Indicator.clean checks the choice."""
    field = form_class.base_fields.get("continues")
    if field is None:
        return form_class
    choices = Indicator.objects.select_related("fiche").order_by("fiche__number", "position")
    if plan is None:
        choices = choices.filter(fiche__plan__in=Plan.objects.filter(successors__isnull=False))
    else:
        choices = (
            choices.filter(fiche__plan_id=plan.predecessor_id) if plan.predecessor_id else choices.none()
        )
    field.queryset = choices
    field.label = "Prolonge l'indicateur du plan précédent"
    field.label_from_instance = lambda i: f"Fiche {i.fiche.number} · {i.code} – {i.label[:90]}"
    return form_class


class IndicatorInline(PlanContentInline, admin.StackedInline):
    model = Indicator
    fields = [
        ("position", "code", "kind", "value_type", "unit"),
        ("group", "label"),
        ("target_value", "target_year", "baseline_value", "baseline_year"),
        "continues",
    ]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        _limit_continues(formset.form, obj.plan if obj else None)
        return formset


class ImportExportPlanContentAdmin(AllOrNothingImportMixin, ImportExportMixin, PlanContentAdmin):
    """A plan admin that imports and exports its sheet of the plan workbook, all or nothing."""


class FicheAdmin(ImportExportPlanContentAdmin):
    # Import and export the "Fiches" sheet of the plan workbook (actions:plan_xlsx), all or nothing.
    resource_classes = [FicheResource]
    formats = [FichesXLSX]
    import_export_change_list_template = "admin/actions/fiche/change_list_excel.html"
    list_display = ["number", "title", "axis_name", "principles_list", "pilots_list", "is_flagship"]
    list_display_links = ["number", "title"]
    list_filter = [
        "plan",
        "is_withheld",
        ("objective__axis", admin.RelatedOnlyFieldListFilter),
        ("principles", admin.RelatedOnlyFieldListFilter),
        ("pilots__direction", admin.RelatedOnlyFieldListFilter),
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
        (None, {"fields": ["plan", "number", "title", "objective", "principles", SEEN_VERSION]}),
        ("Qualification", {"fields": ["complexity", "duration", "is_flagship", "pack", "added_on"]}),
        ("Contexte / état des lieux", {"fields": ["context"]}),
        ("Site public", {"fields": ["is_withheld", "withheld_reason"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("objective__axis", "plan")
            .prefetch_related("principles", "fiche_pilots__pilot__direction")
        )

    def changelist_view(self, request, extra_context=None):
        # One download per plan: the plan in force, the next one in preparation, the closed ones.
        extra_context = {**(extra_context or {}), "plans": list(Plan.objects.order_by("-start_year", "-pk"))}
        return super().changelist_view(request, extra_context)

    @admin.display(description="axe", ordering="objective__axis__position")
    def axis_name(self, obj):
        return obj.objective.axis.name

    @admin.display(description="principes")
    def principles_list(self, obj):
        return " / ".join(p.label for p in obj.principles.all())

    @admin.display(description="pilotes")
    def pilots_list(self, obj):
        return " ; ".join(fp.pilot.label for fp in obj.fiche_pilots.all())


admin.site.register(Fiche, FicheAdmin)


@admin.register(Indicator)
class IndicatorAdmin(ImportExportPlanContentAdmin):
    resource_classes = [IndicatorResource]
    formats = [IndicatorsXLSX]
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        return _limit_continues(
            super().get_form(request, obj, change, **kwargs), obj.fiche.plan if obj else None
        )


class BuyerInline(PlanContentInline, admin.TabularInline):
    model = Buyer
    fields = ["siret", "name", "is_demo"]


@admin.register(Plan)
class PlanAdmin(PlanContentAdmin):
    list_display = [
        "short_title",
        "title",
        "buyer",
        "start_year",
        "end_year",
        "state",
        "adopted_on",
        "updated_on",
        "is_public",
    ]
    list_filter = ["state"]
    search_fields = ["title", "short_title", "buyer"]
    # The state changes only through plan_state_set (the actions below), never through the form.
    readonly_fields = ["state"]
    inlines = [BuyerInline]
    actions = ["make_public", "make_private", "put_in_force", "close_plan"]

    def _set_state(self, request, queryset, state: str, done: str) -> None:
        rights.require(rights.may_prepare_plan(request.user), "Action réservée au service commande publique.")
        for plan in queryset:
            try:
                services.plan_state_set(plan=plan, state=state, user=request.user, seen_version=plan.version)
            except self.refusals as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{plan} : {done}.", messages.SUCCESS)

    @admin.action(description="Mettre en vigueur")
    def put_in_force(self, request, queryset):
        self._set_state(request, queryset, enums.PlanState.IN_FORCE, "en vigueur")

    @admin.action(description="Clore le plan (lecture seule, sauf la campagne de sa dernière année)")
    def close_plan(self, request, queryset):
        self._set_state(request, queryset, enums.PlanState.CLOSED, "clos")

    def _set_publication(self, request, queryset, is_public: bool) -> None:
        rights.require(rights.may_publish(request.user), "Publication réservée au service commande publique.")
        for plan in queryset:
            try:
                services.plan_publication_set(
                    plan=plan, is_public=is_public, user=request.user, seen_version=plan.version
                )
            except self.refusals as error:
                self.message_user(request, f"{plan} : {error} Rien n'a été enregistré.", messages.ERROR)
            else:
                state = "publié sur le site public" if is_public else "retiré du site public"
                self.message_user(request, f"{plan} : {state}.", messages.SUCCESS)

    @admin.action(description="Publier sur le site public (sans connexion)")
    def make_public(self, request, queryset):
        self._set_publication(request, queryset, True)

    @admin.action(description="Retirer du site public")
    def make_private(self, request, queryset):
        self._set_publication(request, queryset, False)


class ObjectiveInline(PlanContentInline, admin.TabularInline):
    model = Objective
    fields = ["position", "code", "title"]


@admin.register(Axis)
class AxisAdmin(PlanContentAdmin):
    list_display = ["name", "plan", "position"]
    list_filter = ["plan"]
    ordering = ["plan", "position"]
    inlines = [ObjectiveInline]


@admin.register(Objective)
class ObjectiveAdmin(PlanContentAdmin):
    list_display = ["code", "title", "axis"]
    list_filter = ["axis__plan", "axis"]
    search_fields = ["title", "code"]
    list_select_related = ["axis"]


@admin.register(Principle)
class PrincipleAdmin(PlanContentAdmin):
    list_display = ["label", "description", "plan", "position"]
    list_filter = ["plan"]


@admin.register(Direction)
class DirectionAdmin(PlanContentAdmin):
    list_display = ["code", "name", "plan"]
    list_filter = ["plan"]
    search_fields = ["code", "name"]


@admin.register(Pack)
class PackAdmin(PlanContentAdmin):
    list_display = ["name", "plan"]


@admin.register(GlossaryEntry)
class GlossaryEntryAdmin(PlanContentAdmin):
    list_display = ["acronym", "definition", "plan"]
    list_filter = ["plan"]
    search_fields = ["acronym", "definition"]


@admin.register(Pilot)
class PilotAdmin(PlanContentAdmin):
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
        active = [person_name(u) for u in obj.users.all() if u.is_active]
        return ", ".join(active) or "poste vacant"


@admin.register(Milestone)
class MilestoneAdmin(PlanContentAdmin):
    list_display = ["fiche", "kind", "text", "due_label", "due_date", "status", "completed_on"]
    list_filter = ["fiche__plan", "kind", "status", "due_precision"]
    search_fields = ["text", "due_label", "fiche__title"]
    list_select_related = ["fiche"]
    ordering = ["fiche__number", "position"]
