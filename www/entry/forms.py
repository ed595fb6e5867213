"""The entry form of a fiche's year: one field per indicator, the annual review and the milestones.

Values are read by core.values, like everywhere; the conflicts a save may meet are shown by
`ConflictRows`, beside the form's fields.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from actions.enums import ProgressStatus, ValueType
from core import values
from indicators.selectors import FicheYearEntry
from indicators.services.entry import REVIEW_DEFAULTS, REVIEW_FIELDS, MilestoneInput, ValueInput

COMMENT_MAX_LENGTH = 2000
NARRATIVE_MAX_LENGTH = 10000
MISMATCH = object()  # a register-computed value refused by `_register_checked`
RESOLVE_CHOICES = [("mine", "Garder ma saisie"), ("stored", "Garder la valeur enregistrée")]

UNIT_SUFFIXES = values.UNIT_SUFFIX  # the units pages show, and a pilot may type after a number
INPUT_HINTS = {
    ValueType.COUNT: "Nombre entier, par exemple 12.",
    ValueType.PERCENTAGE: "Pourcentage entre 0 et 100, par exemple 12,5.",
    ValueType.AMOUNT: "Montant en euros, 2 décimales au plus, par exemple 1 234,50.",
    ValueType.HOURS: "Nombre d'heures, par exemple 1 234,5.",
    ValueType.RATIO: "Nombre décimal, par exemple 0,45.",
}


def _narrative(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=NARRATIVE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )


def milestone_seen(milestone) -> str:
    """What the page showed of a milestone ("1|2025-03-01"): its state when the user opened it."""
    done = milestone.is_done
    return f"{int(done)}|{milestone.completed_on.isoformat() if done and milestone.completed_on else ''}"


def _parse_seen(text: str) -> tuple[bool | None, datetime.date | None]:
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


class FicheYearForm(forms.Form):
    progress_status = forms.ChoiceField(label="État d'avancement de l'action", choices=ProgressStatus.choices)
    achievements = _narrative("Réalisations de l'année")
    difficulties = _narrative("Difficultés rencontrées")
    outlook = _narrative("Perspectives")
    review_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    pending_conflicts = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, entry: FicheYearEntry, read_only: bool = False, **kwargs):
        self.entry = entry
        review = entry.review
        initial = {name: getattr(review, name) for name in REVIEW_FIELDS} if review else dict(REVIEW_DEFAULTS)
        initial["review_version"] = review.version if review else 0
        super().__init__(*args, initial=initial, **kwargs)
        self.indicator_rows = [self._add_indicator_fields(row) for row in entry.indicators]
        self.milestone_rows = [self._add_milestone_fields(m) for m in entry.milestones]
        for key in self.pending_keys:
            self.fields[f"resolve_{key}"] = forms.ChoiceField(
                label="Valeur à conserver",
                choices=RESOLVE_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": "Choisissez la valeur à conserver."},
            )
        if read_only:
            for form_field in self.fields.values():
                form_field.disabled = True
        self._bind_rows()

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

    @property
    def known_keys(self) -> set[str]:
        keys = {f"value_{row.indicator.pk}" for row in self.entry.indicators}
        keys |= {f"review_{name}" for name in REVIEW_FIELDS}
        keys |= {f"milestone_{m.pk}" for m in self.entry.milestones}
        return keys

    @property
    def pending_keys(self) -> list[str]:
        """Conflicts shown to the user, each waiting for their choice (only keys of this page)."""
        raw = self.data.get("pending_conflicts", "") if self.is_bound else ""
        known = self.known_keys
        return [key for key in str(raw).split(",") if key in known]

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

    def pending_rows(self) -> list[dict]:
        return ConflictRows(self).rows()

    def clean(self):
        cleaned = super().clean()
        self.parsed_values = self._clean_values(cleaned)
        self.parsed_milestones = self._clean_milestones(cleaned)
        return cleaned

    def _clean_values(self, cleaned) -> dict[int, ValueInput]:
        parsed = {}
        for row in self.indicator_rows:
            pk = row.indicator.pk
            if f"value_{pk}" in self._errors:
                continue
            try:
                raw = values.parse_value(row.indicator.value_type, cleaned.get(f"value_{pk}"))
            except ValidationError as error:
                self.add_error(f"value_{pk}", error)
                continue
            comment = (cleaned.get(f"comment_{pk}") or "").strip()
            if row.register is not None:
                raw = self._register_checked(row, raw, comment, cleaned.get(f"use_register_{pk}"))
                if raw is MISMATCH:
                    continue
            if raw is None and comment:
                self.add_error(
                    f"comment_{pk}",
                    "Un commentaire accompagne une valeur : saisissez la valeur ou videz le commentaire.",
                )
                continue
            parsed[pk] = ValueInput(raw=raw, comment=comment)
        return parsed

    def _register_checked(self, row, raw, comment: str, use_register: bool):
        """A value of an indicator the register computes: the register's figure when the pilot takes
        it; another value only with a comment saying why (both stay visible on the page)."""
        pk, computed = row.indicator.pk, row.register.value
        shown = values.format_value(row.indicator, computed)
        if use_register:
            if raw is not None and not values.same_value(raw, computed):
                self.add_error(
                    f"value_{pk}",
                    f"Vous avez coché « Reprendre la valeur calculée » ({shown}) et saisi une autre valeur : "
                    "gardez l'une ou l'autre.",
                )
                return MISMATCH
            return computed
        if raw is not None and not values.same_value(raw, computed) and not comment:
            self.add_error(
                f"comment_{pk}",
                f"Cette valeur diffère de la valeur calculée depuis le registre des contrats ({shown}) : "
                "indiquez en commentaire d'où vient la vôtre.",
            )
            return MISMATCH
        return raw

    def _clean_milestones(self, cleaned) -> dict[int, MilestoneInput]:
        today = timezone.localdate()
        parsed = {}
        for milestone in self.milestone_rows:
            prefix = f"milestone_{milestone.pk}"
            done, date = cleaned.get(f"{prefix}_done"), cleaned.get(f"{prefix}_date")
            if f"{prefix}_date" in self._errors:
                continue
            error = None
            if done and date is None:
                error = "Indiquez la date de réalisation du jalon."
            elif date and not done:
                error = "Cochez « Réalisé » ou effacez la date."
            elif date and date > today:
                error = "La date de réalisation ne peut pas être dans le futur."
            if error:
                self.add_error(f"{prefix}_date", error)
                continue
            seen_done, seen_date = _parse_seen(cleaned.get(f"{prefix}_seen") or "")
            if seen_done is None:
                self.add_error(None, "Le formulaire est incomplet : rechargez la page.")
                continue
            parsed[milestone.pk] = MilestoneInput(bool(done), date, seen_done, seen_date)
        return parsed

    def review_input(self) -> dict[str, str]:
        review = {name: (self.cleaned_data.get(name) or "").strip() for name in REVIEW_FIELDS}
        review["progress_status"] = self.cleaned_data["progress_status"]
        return review

    def seen_versions(self) -> dict[str, int]:
        versions = {
            f"value_{row.indicator.pk}": self.cleaned_data.get(f"version_{row.indicator.pk}") or 0
            for row in self.indicator_rows
        }
        versions["review"] = self.cleaned_data.get("review_version") or 0
        return versions

    def keep_stored(self) -> frozenset[str]:
        return frozenset(k for k in self.pending_keys if self.cleaned_data.get(f"resolve_{k}") == "stored")


class ConflictRows:
    """Each conflict waiting for a choice: the user's input beside what is stored now, and by whom."""

    def __init__(self, form: FicheYearForm):
        self.form, self.data, self.entry = form, form.data, form.entry

    def rows(self) -> list[dict]:
        indicators = {f"value_{row.indicator.pk}": row for row in self.entry.indicators}
        milestones = {f"milestone_{m.pk}": m for m in self.entry.milestones}
        rows = []
        for key in self.form.pending_keys:
            if key in indicators:
                row = self._indicator(indicators[key])
            elif key in milestones:
                row = self._milestone(key, milestones[key])
            else:
                row = self._review(key.removeprefix("review_"))
            rows.append({"key": key, "field": self.form[f"resolve_{key}"], **row})
        return rows

    def _indicator(self, row) -> dict:
        pk, value = row.indicator.pk, row.value
        mine = self.data.get(f"value_{pk}", "").strip() or values.MISSING
        if self.data.get(f"comment_{pk}", "").strip():
            mine += f" – commentaire : {self.data.get(f'comment_{pk}').strip()}"
        stored = values.format_value(row.indicator, value.raw if value else None)
        if value and value.comment:
            stored += f" – commentaire : {value.comment}"
        return {
            "label": f"{row.indicator.code} – {row.indicator.label}",
            "mine": mine,
            "stored": stored,
            "by": value.updated_by if value else None,
            "at": value.updated_at if value else None,
            "anchor": f"id_value_{pk}",
        }

    def _milestone(self, key: str, milestone) -> dict:
        mine_done = bool(self.data.get(f"{key}_done"))
        if milestone.is_done:
            stored = f"réalisé le {milestone.completed_on:%d/%m/%Y}" if milestone.completed_on else "réalisé"
        else:
            stored = "non réalisé"
        return {
            "label": f"Jalon : {milestone.text}",
            "mine": f"réalisé le {self.data.get(f'{key}_date')}" if mine_done else "non réalisé",
            "stored": stored,
            "by": None,
            "at": None,
            "anchor": f"id_{key}_done",
        }

    def _review(self, name: str) -> dict:
        review = self.entry.review
        choices = dict(ProgressStatus.choices) if name == "progress_status" else {}
        mine_raw = self.data.get(name, "")
        stored_raw = getattr(review, name) if review else REVIEW_DEFAULTS[name]
        return {
            "label": str(self.form.fields[name].label),
            "mine": choices.get(mine_raw, mine_raw) or "(vide)",
            "stored": choices.get(stored_raw, stored_raw) or "(vide)",
            "by": review.updated_by if review else None,
            "at": review.updated_at if review else None,
            "anchor": f"id_{name}",
        }


def form_data_with_conflicts(data, *, conflicts, entry: FicheYearEntry):
    """The user's submission to show again with the conflicts, ready to be sent again.

    `entry` is read after the conflict. The conflicting fields keep the user's input and wait for
    their choice; every other field someone else saved meanwhile (which the user had not touched)
    now shows the stored value, so that sending the form again cannot overwrite it; the versions
    become the current ones.
    """
    data = data.copy()
    conflict_keys = {c.key for c in conflicts}
    for row in entry.indicators:
        pk, value = row.indicator.pk, row.value
        version = str(value.version if value else 0)
        if data.get(f"version_{pk}") != version and f"value_{pk}" not in conflict_keys:
            data[f"value_{pk}"] = values.value_to_input(
                row.indicator.value_type, value.raw if value else None
            )
            data[f"comment_{pk}"] = value.comment if value else ""
        data[f"version_{pk}"] = version
    review = entry.review
    review_version = str(review.version if review else 0)
    if data.get("review_version") != review_version:
        for name in REVIEW_FIELDS:
            if f"review_{name}" not in conflict_keys:
                data[name] = getattr(review, name) if review else REVIEW_DEFAULTS[name]
    data["review_version"] = review_version
    for milestone in entry.milestones:
        prefix, seen = f"milestone_{milestone.pk}", milestone_seen(milestone)
        if data.get(f"{prefix}_seen") != seen and prefix not in conflict_keys:
            done, _, date = seen.partition("|")
            data.pop(f"{prefix}_done", None)
            if done == "1":
                data[f"{prefix}_done"] = "on"
            data[f"{prefix}_date"] = date
        data[f"{prefix}_seen"] = seen
    data["pending_conflicts"] = ",".join(c.key for c in conflicts)
    return data
