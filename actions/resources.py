"""django-import-export resources of the plan: fiches in the "Fiches" sheet of the plan workbook.

The admin's import reads the sheet by its name (not "the active sheet"), refuses bad files with a
French message (indicators.excel), takes neutralised cells back to their text, and is all or
nothing (see `AllOrNothingImportMixin` in actions/admin.py). Lookups of plans, fiches, objectives,
packs and principles are cached for the whole file: one query each, not one per row.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from indicators import excel

from . import enums
from .models import Fiche, Objective, Pack, Plan, Principle

# --- Widgets shared by the resources -------------------------------------------------------------


class TextWidget(widgets.CharWidget):
    """Text as written, the neutralising apostrophe taken off (see indicators.excel.neutralise)."""

    def clean(self, value, row=None, **kwargs):
        value = excel.unneutralise(value)
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
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = str(value or "").strip().lower()
        if text in ("oui", "vrai", "1"):
            return True
        if text in ("non", "faux", "0", ""):
            return False
        raise ValueError(f"« {value} » : écrivez « Oui » ou « Non ».")

    def render(self, value, obj=None, **kwargs):
        return excel.yes_no(value)


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
        text = str(excel.unneutralise(value) or "").strip()
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
        text = str(excel.unneutralise(value) or "").strip()
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
            return self._cache[text]
        except KeyError:
            raise ValueError(f"le plan « {text} » n'existe pas.") from None


# --- Resources -----------------------------------------------------------------------------------


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
    status = fields.Field(
        "status", "État d'avancement", widget=ChoiceLabelWidget(enums.ProgressStatus.choices)
    )
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
            "status",
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

    def before_save_instance(self, instance, row, **kwargs):
        # Imports count as edits: an admin form opened before the import is then refused as stale.
        if instance.pk:
            instance.version += 1

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
        return " ; ".join(str(p) for p in fiche.ordered_pilots())


# --- The xlsx format the admin offers: a named sheet, checked, neutralised ------------------------
# Neutralising happens once, when the workbook is written (excel.build_workbook), not in the resources:
# the resources' datasets also feed our multi-sheet workbooks, and escaping twice would add an
# apostrophe at every round trip. The admins offer no other format (CSV would bypass that writer).


def sheet_xlsx_format(sheet_name: str) -> type[base_formats.XLSX]:
    """An xlsx import/export format bound to one sheet of our workbooks."""

    class SheetXLSX(base_formats.XLSX):
        sheet = sheet_name

        def get_title(self):
            return f"xlsx (feuille « {sheet_name} »)"

        def create_dataset(self, in_stream):
            import tablib

            rows = excel.read_sheet(in_stream, self.sheet)
            dataset = tablib.Dataset()
            dataset.headers = [excel.unneutralise(c.value) for c in rows[0]]
            width = len(dataset.headers)
            for row in rows[1:]:
                values = [c.value for c in row][:width]
                if all(excel.is_blank(v) for v in values):
                    continue
                dataset.append(values + [None] * (width - len(values)))
            return dataset

        def export_data(self, dataset, **kwargs):
            return excel.build_workbook([excel.SheetSpec(self.sheet, dataset.headers, dataset)])

    SheetXLSX.__name__ = f"SheetXLSX_{sheet_name}"
    return SheetXLSX


FichesXLSX = sheet_xlsx_format("Fiches")
