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

import datetime

import tablib
from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from core import values
from core.excel import files

from .. import enums, states
from ..models import Fiche, FichePilot, Indicator, Milestone, Objective, Pack, Plan, Principle
from ..services import plan_content_save

# --- Widgets shared by the resources -------------------------------------------------------------


class TextWidget(widgets.CharWidget):
    """Text as written, the neutralising apostrophe taken off (see files.neutralise)."""

    def clean(self, value, row=None, **kwargs):
        value = files.unneutralise(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DayWidget(widgets.DateWidget):
    """A date; Excel date cells come back from openpyxl as datetimes at midnight."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        return super().clean(value, row, **kwargs)


class YesNoWidget(widgets.Widget):
    """Oui / Non, read with the same words as everywhere (core.values); empty means no."""

    def clean(self, value, row=None, **kwargs):
        try:
            return bool(values.parse_yes_no(value))
        except ValidationError as error:
            raise ValueError(values.error_text(error)) from None

    def render(self, value, obj=None, **kwargs):
        return values.format_yes_no(value)


class ChoiceLabelWidget(widgets.Widget):
    """A choice written with its French label ("Moyennement simple"); the stored code is accepted too."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        for code, label in self.choices:
            if text.lower() in (str(code).lower(), str(label).lower()):
                return code
        allowed = ", ".join(f"« {label} »" for _, label in self.choices)
        raise ValueError(f"« {text} » n'est pas un choix possible ({allowed}).")

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(value, value or "")


class PlanScopedWidget(widgets.ForeignKeyWidget):
    """A related row named by `field` within the row's plan, looked up in one query per file."""

    def __init__(self, model, field, plan_path, plan_column="Plan", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.plan_path = plan_path
        self.plan_column = plan_column
        self._cache = None

    def _index(self):
        if self._cache is None:
            rows = self.model.objects.values_list(f"{self.plan_path}__slug", self.field, "pk")
            by_pk = self.model.objects.in_bulk([pk for *_, pk in rows])
            self._cache = {(slug, str(key).strip().lower()): by_pk[pk] for slug, key, pk in rows}
        return self._cache

    def clean(self, value, row=None, **kwargs):
        text = str(files.unneutralise(value) or "").strip()
        if not text:
            return None
        slug = str((row or {}).get(self.plan_column) or "").strip()
        try:
            return self._index()[slug, text.lower()]
        except KeyError:
            raise ValueError(f"« {text} » n'existe pas dans le plan « {slug} ».") from None


class PlanScopedManyWidget(widgets.ManyToManyWidget):
    """Several related rows named by `field` within the row's plan, separated by " / "."""

    def __init__(self, model, field, plan_path, **kwargs):
        super().__init__(model, separator=" / ", field=field, **kwargs)
        self.single = PlanScopedWidget(model, field=field, plan_path=plan_path)

    def clean(self, value, row=None, **kwargs):
        text = str(files.unneutralise(value) or "").strip()
        if not text:
            return []
        return [self.single.clean(part, row) for part in text.split("/") if part.strip()]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(str(getattr(item, self.field)) for item in value.all())


class CachedPlanWidget(widgets.ForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(Plan, field="slug", **kwargs)
        self._cache = None

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            raise ValueError("le plan est obligatoire.")
        if self._cache is None:
            self._cache = {p.slug: p for p in Plan.objects.all()}
        try:
            plan = self._cache[text]
        except KeyError:
            raise ValueError(f"le plan « {text} » n'existe pas.") from None
        refusal = states.content_refusal(plan)  # a closed plan's content is read-only (actions.states)
        if refusal:
            raise ValueError(refusal)
        return plan


class FrenchDecimalWidget(widgets.Widget):
    """A decimal typed "1 803,60" or stored by Excel as 1803.6, whatever the server's locale."""

    def clean(self, value, row=None, **kwargs):
        try:
            return values.parse_decimal(value)
        except ValidationError as error:
            raise ValueError(values.error_text(error)) from None

    def render(self, value, obj=None, **kwargs):
        return value


class YearWidget(widgets.IntegerWidget):
    def render(self, value, obj=None, **kwargs):
        return value


class FicheOfRowWidget(widgets.ForeignKeyWidget):
    """The fiche named by the row's plan and number, every fiche loaded once per file."""

    def __init__(self, **kwargs):
        super().__init__(Fiche, field="number", **kwargs)
        self._cache = None

    def clean(self, value, row=None, **kwargs):
        if self._cache is None:
            self._cache = {(f.plan.slug, f.number): f for f in Fiche.objects.select_related("plan")}
        try:
            number = int(values.parse_decimal(value))
        except (ValidationError, TypeError):
            raise ValueError(f"« {value} » n'est pas un numéro de fiche.") from None
        slug = str((row or {}).get("Plan") or "").strip()
        try:
            fiche = self._cache[slug, number]
        except KeyError:
            raise ValueError(f"la fiche n° {number} n'existe pas dans le plan « {slug} ».") from None
        refusal = states.content_refusal(fiche.plan)
        if refusal:
            raise ValueError(refusal)
        return fiche

    def render(self, value, obj=None, **kwargs):
        return value.number if value is not None else ""


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
