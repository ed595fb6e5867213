"""The widgets the plan workbook's readers share (actions.excel.plan_workbook): French text, dates,
yes/no and choice labels, and lookups scoped to the plan being imported, cached for the whole file."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from import_export import widgets

from core import values
from core.excel import files

from .. import states
from ..models import Fiche, Plan


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
