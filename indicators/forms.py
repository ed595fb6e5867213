"""The entry form of a fiche's year: one field per indicator, the annual review and the milestones."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from actions.enums import MilestoneStatus, ProgressStatus

from .enums import ValueType
from .formatting import MISSING, format_value
from .parsing import BOOLEAN_CHOICES, parse_value, value_to_input
from .selectors import FicheYearEntry
from .services import REVIEW_DEFAULTS, REVIEW_FIELDS, MilestoneInput, ValueInput

COMMENT_MAX_LENGTH = 2000
NARRATIVE_MAX_LENGTH = 10000
RESOLVE_CHOICES = [("mine", "Garder ma saisie"), ("stored", "Garder la valeur enregistrée")]

UNIT_SUFFIXES = {ValueType.PERCENTAGE: "%", ValueType.AMOUNT: "€", ValueType.HOURS: "heures"}
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


def _milestone_seen(milestone) -> str:
    done = milestone.status == MilestoneStatus.DONE
    return f"{int(done)}|{milestone.completed_on.isoformat() if done and milestone.completed_on else ''}"


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
        self.indicator_rows = []
        for row in entry.indicators:
            indicator, pk = row.indicator, row.indicator.pk
            if indicator.value_type == ValueType.BOOLEAN:
                widget = forms.Select(choices=BOOLEAN_CHOICES)
            elif indicator.value_type == ValueType.TEXT:
                widget = forms.Textarea(attrs={"rows": 2})
            else:
                mode = "numeric" if indicator.value_type == ValueType.COUNT else "decimal"
                widget = forms.TextInput(attrs={"inputmode": mode, "autocomplete": "off", "size": 14})
            self.fields[f"value_{pk}"] = forms.CharField(
                label=f"Valeur {entry.year}",
                required=False,
                strip=False,
                widget=widget,
                help_text=INPUT_HINTS.get(indicator.value_type, ""),
                initial=value_to_input(indicator.value_type, row.value.raw if row.value else None),
            )
            self.fields[f"comment_{pk}"] = forms.CharField(
                label="Commentaire",
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                initial=row.value.comment if row.value else "",
                widget=forms.TextInput(attrs={"size": 30}),
            )
            self.fields[f"version_{pk}"] = forms.IntegerField(
                widget=forms.HiddenInput,
                min_value=0,
                required=False,
                initial=row.value.version if row.value else 0,
            )
            row.suffix = UNIT_SUFFIXES.get(indicator.value_type, "")
            self.indicator_rows.append(row)
        self.milestone_rows = []
        for milestone in entry.milestones:
            done = milestone.status == MilestoneStatus.DONE
            self.fields[f"milestone_{milestone.pk}_done"] = forms.BooleanField(
                label="Réalisé", required=False, initial=done
            )
            self.fields[f"milestone_{milestone.pk}_date"] = forms.DateField(
                label="le",
                required=False,
                initial=milestone.completed_on if done else None,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
            self.fields[f"milestone_{milestone.pk}_seen"] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=_milestone_seen(milestone)
            )
            self.milestone_rows.append(milestone)
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
        # Bound fields grouped for the template (each is cached by the form, errors included).
        for row in self.indicator_rows:
            pk = row.indicator.pk
            row.value_field, row.comment_field, row.version_field = (
                self[f"value_{pk}"],
                self[f"comment_{pk}"],
                self[f"version_{pk}"],
            )
        for milestone in self.milestone_rows:
            prefix = f"milestone_{milestone.pk}"
            milestone.done_field, milestone.date_field, milestone.seen_field = (
                self[f"{prefix}_done"],
                self[f"{prefix}_date"],
                self[f"{prefix}_seen"],
            )

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
        """Each conflict waiting for a choice: the user's input beside what is stored now, and by whom."""
        indicators = {f"value_{row.indicator.pk}": row for row in self.entry.indicators}
        milestones = {f"milestone_{m.pk}": m for m in self.entry.milestones}
        review = self.entry.review
        rows = []
        for key in self.pending_keys:
            if key in indicators:
                row, pk = indicators[key], indicators[key].indicator.pk
                mine = self.data.get(f"value_{pk}", "").strip() or MISSING
                if self.data.get(f"comment_{pk}", "").strip():
                    mine += f" – commentaire : {self.data.get(f'comment_{pk}').strip()}"
                stored = format_value(row.indicator, row.value.raw if row.value else None)
                if row.value and row.value.comment:
                    stored += f" – commentaire : {row.value.comment}"
                by, at = (row.value.updated_by, row.value.updated_at) if row.value else (None, None)
                label, anchor = f"{row.indicator.code} – {row.indicator.label}", f"id_value_{pk}"
            elif key in milestones:
                milestone = milestones[key]
                mine_done = bool(self.data.get(f"{key}_done"))
                mine = f"réalisé le {self.data.get(f'{key}_date')}" if mine_done else "non réalisé"
                stored = (
                    (f"réalisé le {milestone.completed_on:%d/%m/%Y}" if milestone.completed_on else "réalisé")
                    if milestone.status == MilestoneStatus.DONE
                    else "non réalisé"
                )
                by = at = None
                label, anchor = f"Jalon : {milestone.text}", f"id_{key}_done"
            else:
                name = key.removeprefix("review_")
                choices = dict(ProgressStatus.choices) if name == "progress_status" else {}
                mine_raw = self.data.get(name, "")
                stored_raw = getattr(review, name) if review else REVIEW_DEFAULTS[name]
                mine, stored = (
                    choices.get(mine_raw, mine_raw) or "(vide)",
                    choices.get(stored_raw, stored_raw) or "(vide)",
                )
                by, at = (review.updated_by, review.updated_at) if review else (None, None)
                label, anchor = str(self.fields[name].label), f"id_{name}"
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "mine": mine,
                    "stored": stored,
                    "by": by,
                    "at": at,
                    "field": self[f"resolve_{key}"],
                    "anchor": anchor,
                }
            )
        return rows

    def clean(self):
        cleaned = super().clean()
        self.parsed_values: dict[int, ValueInput] = {}
        for row in self.indicator_rows:
            pk = row.indicator.pk
            name = f"value_{pk}"
            if name in self._errors:
                continue
            try:
                raw = parse_value(row.indicator.value_type, cleaned.get(name))
            except ValidationError as error:
                self.add_error(name, error)
                continue
            comment = (cleaned.get(f"comment_{pk}") or "").strip()
            if raw is None and comment:
                self.add_error(
                    f"comment_{pk}",
                    "Un commentaire accompagne une valeur : saisissez la valeur ou videz le commentaire.",
                )
                continue
            self.parsed_values[pk] = ValueInput(raw=raw, comment=comment)
        today = timezone.localdate()
        self.parsed_milestones: dict[int, MilestoneInput] = {}
        for milestone in self.milestone_rows:
            prefix = f"milestone_{milestone.pk}"
            done, date = cleaned.get(f"{prefix}_done"), cleaned.get(f"{prefix}_date")
            if f"{prefix}_date" in self._errors:
                continue
            if done and date is None:
                self.add_error(f"{prefix}_date", "Indiquez la date de réalisation du jalon.")
                continue
            if date and not done:
                self.add_error(f"{prefix}_date", "Cochez « Réalisé » ou effacez la date.")
                continue
            if date and date > today:
                self.add_error(f"{prefix}_date", "La date de réalisation ne peut pas être dans le futur.")
                continue
            seen_done, seen_date = _parse_seen(cleaned.get(f"{prefix}_seen") or "")
            if seen_done is None:
                self.add_error(None, "Le formulaire est incomplet : rechargez la page.")
                continue
            self.parsed_milestones[milestone.pk] = MilestoneInput(bool(done), date, seen_done, seen_date)
        return cleaned

    def review_input(self) -> dict[str, str]:
        return {
            name: (self.cleaned_data.get(name) or "").strip()
            if name != "progress_status"
            else self.cleaned_data[name]
            for name in REVIEW_FIELDS
        }

    def seen_versions(self) -> dict[str, int]:
        versions = {
            f"value_{row.indicator.pk}": self.cleaned_data.get(f"version_{row.indicator.pk}") or 0
            for row in self.indicator_rows
        }
        versions["review"] = self.cleaned_data.get("review_version") or 0
        return versions

    def keep_stored(self) -> frozenset[str]:
        return frozenset(k for k in self.pending_keys if self.cleaned_data.get(f"resolve_{k}") == "stored")


def _parse_seen(text: str) -> tuple[bool | None, datetime.date | None]:
    done, _, date = text.partition("|")
    if done not in ("0", "1"):
        return None, None
    try:
        return done == "1", datetime.date.fromisoformat(date) if date else None
    except ValueError:
        return None, None


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
            data[f"value_{pk}"] = value_to_input(row.indicator.value_type, value.raw if value else None)
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
        prefix, seen = f"milestone_{milestone.pk}", _milestone_seen(milestone)
        if data.get(f"{prefix}_seen") != seen and prefix not in conflict_keys:
            done, _, date = seen.partition("|")
            data.pop(f"{prefix}_done", None)
            if done == "1":
                data[f"{prefix}_done"] = "on"
            data[f"{prefix}_date"] = date
        data[f"{prefix}_seen"] = seen
    data["pending_conflicts"] = ",".join(c.key for c in conflicts)
    return data


class CampaignOpenForm(forms.Form):
    year = forms.IntegerField(label="Année suivie", min_value=2000, max_value=2100)
    deadline = forms.DateField(
        label="Date limite de saisie", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="Commentaire pour le pilote",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez au pilote ce qu'il doit revoir."},
    )
