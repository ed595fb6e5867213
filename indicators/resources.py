"""django-import-export resource of the indicators: the "Indicateurs" sheet of the plan workbook.

Yearly values are not a library resource: their sheet is a pivot (one column per year), read and
written by indicators.imports / indicators.excel.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from actions.models import Fiche
from actions.resources import CachedPlanWidget, ChoiceLabelWidget, TextWidget, sheet_xlsx_format

from . import enums, excel
from .models import Indicator


class FrenchDecimalWidget(widgets.Widget):
    """A decimal typed "1 803,60" or stored by Excel as 1803.6, whatever the server's locale."""

    def clean(self, value, row=None, **kwargs):
        if excel.is_blank(value):
            return None
        try:
            return excel.parse_decimal(value)
        except ValueError:
            raise ValueError(f"« {value} » n'est pas un nombre (exemple attendu : 1 803,60).") from None

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
            number = int(excel.parse_decimal(value))
        except (ValueError, TypeError):
            raise ValueError(f"« {value} » n'est pas un numéro de fiche.") from None
        slug = str((row or {}).get("Plan") or "").strip()
        try:
            return self._cache[slug, number]
        except KeyError:
            raise ValueError(f"la fiche n° {number} n'existe pas dans le plan « {slug} ».") from None

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
        "value_type", "Type de valeur", widget=ChoiceLabelWidget(enums.ValueType.choices)
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


IndicatorsXLSX = sheet_xlsx_format("Indicateurs")
