"""The plan workbook: its layout, its writer and its readers, together.

Four sheets, French headers: "Fiches" (one row per fiche, every field; importable), "Pilotes",
"Jalons" and "Indicateurs" (one row per indicator; importable). `plan_workbook` writes them;
`FicheResource` and `IndicatorResource` (django-import-export) read the importable ones in the admin,
each bound to its sheet by name (`FichesXLSX`, `IndicatorsXLSX`), all or nothing (see
core.excel.admin). Every write goes through `plan_content_save`, like any edit of the plan.
Lookups of plans, fiches, objectives, packs and principles are cached for the whole file: one query
each, not one per row.
"""

from __future__ import annotations

import tablib
from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from core.excel import files

from .. import enums
from ..models import Fiche, FichePilot, Indicator, Milestone, Objective, Pack, Plan, Principle
from ..services import plan_content_save
from .widgets import (
    CachedPlanWidget,
    ChoiceLabelWidget,
    DayWidget,
    FicheOfRowWidget,
    FrenchDecimalWidget,
    PlanScopedManyWidget,
    PlanScopedWidget,
    TextWidget,
    YearWidget,
    YesNoWidget,
)


class IndicatorResource(resources.ModelResource):
    plan = fields.Field(column_name="Plan", attribute="fiche__plan", widget=CachedPlanWidget(), readonly=True)
    fiche = fields.Field("fiche", "N° fiche", widget=FicheOfRowWidget())
    code = fields.Field("code", "Code indicateur", widget=TextWidget())
    kind = fields.Field("kind", "Nature", widget=ChoiceLabelWidget(enums.IndicatorKind.choices))
    group = fields.Field("group", "Intitulé commun", widget=TextWidget())
    label = fields.Field("label", "Libellé", widget=TextWidget())
    value_type = fields.Field(
        "value_type",
        "Type de valeur",
        widget=ChoiceLabelWidget(enums.ValueType.choices),
    )
    unit = fields.Field("unit", "Unité", widget=TextWidget())
    target_value = fields.Field("target_value", "Cible", widget=FrenchDecimalWidget())
    target_year = fields.Field("target_year", "Année cible", widget=YearWidget())
    baseline_value = fields.Field("baseline_value", "Valeur de référence", widget=FrenchDecimalWidget())
    baseline_year = fields.Field("baseline_year", "Année de référence", widget=YearWidget())
    position = fields.Field("position", "Ordre", widget=YearWidget())

    class Meta:
        model = Indicator
        name = "Indicateurs (feuille « Indicateurs »)"
        fields = (
            "plan",
            "fiche",
            "code",
            "kind",
            "group",
            "label",
            "value_type",
            "unit",
            "target_value",
            "target_year",
            "baseline_value",
            "baseline_year",
            "position",
        )
        import_id_fields = ("fiche", "code")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return Indicator.objects.select_related("fiche__plan").order_by(
            "fiche__plan", "fiche__number", "position"
        )

    def dehydrate_plan(self, indicator):
        return indicator.fiche.plan.slug

    def save_instance(self, instance, is_create, row, **kwargs):
        plan_content_save(obj=instance, user=kwargs.get("user"))


# --- The readers (and the layout of the importable sheets) ----------------------------------


class FicheResource(resources.ModelResource):
    plan = fields.Field("plan", "Plan", widget=CachedPlanWidget())
    number = fields.Field("number", "N° fiche", widget=widgets.IntegerWidget(coerce_to_string=False))
    title = fields.Field("title", "Action", widget=TextWidget())
    axis = fields.Field(column_name="Axe", readonly=True, dehydrate_method="dehydrate_axis")
    objective = fields.Field(
        "objective", "Objectif", widget=PlanScopedWidget(Objective, field="code", plan_path="axis__plan")
    )
    objective_title = fields.Field(
        column_name="Intitulé de l'objectif", readonly=True, dehydrate_method="dehydrate_objective_title"
    )
    principles = fields.Field(
        "principles",
        "Principes d'action",
        widget=PlanScopedManyWidget(Principle, field="label", plan_path="plan"),
    )
    is_flagship = fields.Field("is_flagship", "Action phare", widget=YesNoWidget())
    pack = fields.Field("pack", "Pack", widget=PlanScopedWidget(Pack, field="name", plan_path="plan"))
    added_on = fields.Field("added_on", "Ajoutée le", widget=DayWidget(coerce_to_string=False))
    complexity = fields.Field("complexity", "Complexité", widget=ChoiceLabelWidget(enums.Complexity.choices))
    duration = fields.Field("duration", "Durée", widget=ChoiceLabelWidget(enums.Duration.choices))
    context = fields.Field("context", "Contexte / état des lieux", widget=TextWidget())
    pilots = fields.Field(column_name="Pilotes", readonly=True, dehydrate_method="dehydrate_pilots")

    class Meta:
        model = Fiche
        name = "Fiches-actions (feuille « Fiches »)"
        fields = (
            "plan",
            "number",
            "title",
            "axis",
            "objective",
            "objective_title",
            "principles",
            "is_flagship",
            "pack",
            "added_on",
            "complexity",
            "duration",
            "context",
            "pilots",
        )
        import_id_fields = ("plan", "number")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._fiches = None

    def get_queryset(self):
        return (
            Fiche.objects.select_related("plan", "objective__axis", "pack")
            .prefetch_related("principles", "fiche_pilots__pilot__direction")
            .order_by("plan", "number")
        )

    def get_instance(self, instance_loader, row):
        # One query for every fiche of the file instead of one per row.
        if self._fiches is None:
            self._fiches = {(f.plan.slug, f.number): f for f in self.get_queryset()}
        number = row.get("N° fiche")
        try:
            number = int(number)
        except (TypeError, ValueError):
            return None
        return self._fiches.get((str(row.get("Plan") or "").strip(), number))

    def save_instance(self, instance, is_create, row, **kwargs):
        # Like any edit of the plan: rules, version (an admin form opened before is then stale), author.
        plan_content_save(obj=instance, user=kwargs.get("user"))

    def import_instance(self, instance, row, **kwargs):
        # The library checks many-to-many cells only when saving them: check them with the others.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.error_dict
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as exc:
                    errors[field.attribute] = [ValidationError(str(exc), code="invalid")]
        if errors:
            raise ValidationError(errors)

    def dehydrate_axis(self, fiche):
        return fiche.objective.axis.name

    def dehydrate_objective_title(self, fiche):
        return fiche.objective.title

    def dehydrate_pilots(self, fiche):
        return " ; ".join(p.label for p in fiche.ordered_pilots())


# --- The xlsx format the admin offers: a named sheet, checked, neutralised ------------------------
# Neutralising happens once, when the workbook is written (files.build_workbook), not in the resources:
# the resources' datasets also feed our multi-sheet workbooks, and escaping twice would add an
# apostrophe at every round trip. The admins offer no other format (CSV would bypass that writer).


def sheet_xlsx_format(sheet_name: str) -> type[base_formats.XLSX]:
    """An xlsx import/export format bound to one sheet of our workbooks."""

    class SheetXLSX(base_formats.XLSX):
        sheet = sheet_name

        def get_title(self):
            return f"xlsx (feuille « {sheet_name} »)"

        def create_dataset(self, in_stream):
            rows = files.read_sheet(in_stream, self.sheet)
            dataset = tablib.Dataset()
            dataset.headers = [files.unneutralise(c.value) for c in rows[0]]
            width = len(dataset.headers)
            for row in rows[1:]:
                values = [c.value for c in row][:width]
                if all(files.is_blank(v) for v in values):
                    continue
                dataset.append(values + [None] * (width - len(values)))
            return dataset

        def export_data(self, dataset, **kwargs):
            return files.build_workbook([files.SheetSpec(self.sheet, dataset.headers, dataset)])

    SheetXLSX.__name__ = f"SheetXLSX_{sheet_name}"
    return SheetXLSX


FichesXLSX = sheet_xlsx_format("Fiches")
IndicatorsXLSX = sheet_xlsx_format("Indicateurs")


# --- The writer -----------------------------------------------------------------------------------

PILOT_HEADERS = ["N° fiche", "Action", "Ordre", "Fonction", "Service", "Direction", "Nom de la direction"]
MILESTONE_HEADERS = [
    "N° fiche",
    "Nature",
    "Phase",
    "Libellé",
    "Échéance",
    "Date limite",
    "Statut",
    "Réalisé le",
]


def _pilot_rows(plan: Plan) -> list[tuple]:
    links = (
        FichePilot.objects.filter(fiche__plan=plan)
        .select_related("fiche", "pilot__direction")
        .order_by("fiche__number", "position")
    )
    return [
        (
            fp.fiche.number,
            fp.fiche.title,
            fp.position,
            fp.pilot.role,
            fp.pilot.service,
            fp.pilot.direction.code,
            fp.pilot.direction.name,
        )
        for fp in links
    ]


def _milestone_rows(plan: Plan) -> list[tuple]:
    milestones = (
        Milestone.objects.filter(fiche__plan=plan)
        .select_related("fiche")
        .order_by("fiche__number", "position")
    )
    return [
        (
            m.fiche.number,
            m.get_kind_display(),
            m.heading,
            m.text,
            m.due_label,
            m.due_date,
            m.get_status_display(),
            m.completed_on,
        )
        for m in milestones
    ]


def plan_workbook(plan: Plan) -> bytes:
    """The plan in four sheets: fiches and indicators (in their import layout), pilots, milestones."""
    fiche_resource, indicator_resource = FicheResource(), IndicatorResource()
    fiches = fiche_resource.export(fiche_resource.get_queryset().filter(plan=plan))
    indicators = indicator_resource.export(indicator_resource.get_queryset().filter(fiche__plan=plan))
    return files.build_workbook(
        [
            files.SheetSpec("Fiches", fiches.headers, fiches, {3: 60, 13: 80}),
            files.SheetSpec("Pilotes", PILOT_HEADERS, _pilot_rows(plan), {2: 50, 4: 30, 5: 30, 7: 40}),
            files.SheetSpec("Jalons", MILESTONE_HEADERS, _milestone_rows(plan), {4: 70, 5: 25}),
            files.SheetSpec("Indicateurs", indicators.headers, indicators, {6: 60}),
        ]
    )
