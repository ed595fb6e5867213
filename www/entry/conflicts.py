"""The conflicts a save of the entry page may meet: the choice each one waits for (keep mine, keep
the stored value), the rows showing them, and the submission shown again with them."""

from django import forms

from actions.enums import ProgressStatus
from core import values
from indicators.selectors import FicheYearEntry
from indicators.services.entry import REVIEW_DEFAULTS, REVIEW_FIELDS

from .rows import milestone_seen

RESOLVE_CHOICES = [("mine", "Garder ma saisie"), ("stored", "Garder la valeur enregistrée")]


class ConflictChoices:
    """The form's side of the conflicts: one choice per pending conflict, and what the user kept."""

    def _add_resolve_fields(self) -> None:
        for key in self.pending_keys:
            self.fields[f"resolve_{key}"] = forms.ChoiceField(
                label="Valeur à conserver",
                choices=RESOLVE_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": "Choisissez la valeur à conserver."},
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

    def pending_rows(self) -> list[dict]:
        return ConflictRows(self).rows()

    def keep_stored(self) -> frozenset[str]:
        return frozenset(k for k in self.pending_keys if self.cleaned_data.get(f"resolve_{k}") == "stored")


class ConflictRows:
    """Each conflict waiting for a choice: the user's input beside what is stored now, and by whom."""

    def __init__(self, form):
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
