"""The entry form's rows: the fields of each indicator (value, comment, version, the register's figure)
and of each milestone (done, date, what the page showed), grouped for the template."""

import datetime

from django import forms

from actions.enums import ValueType
from core import values

COMMENT_MAX_LENGTH = 2000
UNIT_SUFFIXES = values.UNIT_SUFFIX  # the units pages show, and a pilot may type after a number
INPUT_HINTS = {
    ValueType.COUNT: "Nombre entier, par exemple 12.",
    ValueType.PERCENTAGE: "Pourcentage entre 0 et 100, par exemple 12,5.",
    ValueType.AMOUNT: "Montant en euros, 2 décimales au plus, par exemple 1 234,50.",
    ValueType.HOURS: "Nombre d'heures, par exemple 1 234,5.",
    ValueType.RATIO: "Nombre décimal, par exemple 0,45.",
}


def milestone_seen(milestone) -> str:
    """What the page showed of a milestone ("1|2025-03-01"): its state when the user opened it."""
    done = milestone.is_done
    return f"{int(done)}|{milestone.completed_on.isoformat() if done and milestone.completed_on else ''}"


def parse_seen(text: str) -> tuple[bool | None, datetime.date | None]:
    done, _, date = text.partition("|")
    if done not in ("0", "1"):
        return None, None
    try:
        return done == "1", datetime.date.fromisoformat(date) if date else None
    except ValueError:
        return None, None


def _value_widget(value_type: str) -> forms.Widget:
    if value_type == ValueType.BOOLEAN:
        return forms.Select(choices=values.BOOLEAN_CHOICES)
    if value_type == ValueType.TEXT:
        return forms.Textarea(attrs={"rows": 2})
    mode = "numeric" if value_type == ValueType.COUNT else "decimal"
    return forms.TextInput(attrs={"inputmode": mode, "autocomplete": "off", "size": 14})


class RowFields:
    """The fields of the entry's rows, added to the form (`self.entry`: what the page shows)."""

    def _add_indicator_fields(self, row):
        indicator, pk, value = row.indicator, row.indicator.pk, row.value
        self.fields[f"value_{pk}"] = forms.CharField(
            label=f"Valeur {self.entry.year}",
            required=False,
            strip=False,
            widget=_value_widget(indicator.value_type),
            help_text=INPUT_HINTS.get(indicator.value_type, ""),
            initial=values.value_to_input(indicator.value_type, value.raw if value else None),
        )
        self.fields[f"comment_{pk}"] = forms.CharField(
            label="Commentaire",
            required=False,
            max_length=COMMENT_MAX_LENGTH,
            initial=value.comment if value else "",
            widget=forms.TextInput(attrs={"size": 30}),
        )
        self.fields[f"version_{pk}"] = forms.IntegerField(
            widget=forms.HiddenInput, min_value=0, required=False, initial=value.version if value else 0
        )
        if row.register is not None:
            row.register_shown = shown = values.format_value(indicator, row.register.value)
            self.fields[f"use_register_{pk}"] = forms.BooleanField(
                label=f"Reprendre la valeur calculée depuis le registre des contrats ({shown})",
                required=False,
            )
        row.suffix = UNIT_SUFFIXES.get(indicator.value_type, "")
        return row

    def _add_milestone_fields(self, milestone):
        prefix = f"milestone_{milestone.pk}"
        self.fields[f"{prefix}_done"] = forms.BooleanField(
            label="Réalisé", required=False, initial=milestone.is_done
        )
        self.fields[f"{prefix}_date"] = forms.DateField(
            label="le",
            required=False,
            initial=milestone.completed_on if milestone.is_done else None,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        self.fields[f"{prefix}_seen"] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=milestone_seen(milestone)
        )
        return milestone

    def _bind_rows(self) -> None:
        """Bound fields grouped for the template (each is cached by the form, errors included)."""
        for row in self.indicator_rows:
            pk = row.indicator.pk
            row.value_field, row.comment_field = self[f"value_{pk}"], self[f"comment_{pk}"]
            row.version_field = self[f"version_{pk}"]
            row.use_register_field = self[f"use_register_{pk}"] if row.register is not None else None
        for milestone in self.milestone_rows:
            prefix = f"milestone_{milestone.pk}"
            milestone.done_field, milestone.date_field = self[f"{prefix}_done"], self[f"{prefix}_date"]
            milestone.seen_field = self[f"{prefix}_seen"]

    def error_summary(self) -> list[dict]:
        """Field errors for the summary at the top, each naming its indicator and linking to its field."""
        codes = {}
        for row in self.indicator_rows:
            codes[f"value_{row.indicator.pk}"] = codes[f"comment_{row.indicator.pk}"] = row.indicator.code
        for milestone in self.milestone_rows:
            codes[f"milestone_{milestone.pk}_date"] = f"jalon « {milestone.text[:50]} »"
        summary = []
        for name, errors in self.errors.items():
            if name == "__all__" or name not in self.fields or self.fields[name].widget.is_hidden:
                continue
            bound = self[name]
            label = f"{bound.label} ({codes[name]})" if name in codes else str(bound.label)
            summary.append({"id": bound.id_for_label, "label": label, "errors": " ".join(errors)})
        return summary

    @property
    def has_hidden_errors(self) -> bool:
        return any(n in self.errors for n, f in self.fields.items() if f.widget.is_hidden)
