"""The entry form of a fiche's year: one field per indicator, the annual review and the milestones.

Its parts live beside it: the rows' fields (`rows`), the validation that reads values with
core.values like everywhere (`validation`), and the conflicts a save may meet (`conflicts`).
"""

from django import forms

from actions.enums import ProgressStatus
from indicators.selectors import FicheYearEntry
from indicators.services.entry import REVIEW_DEFAULTS, REVIEW_FIELDS

from .conflicts import ConflictChoices, form_data_with_conflicts
from .rows import COMMENT_MAX_LENGTH, RowFields
from .validation import EntryValidation

__all__ = ["COMMENT_MAX_LENGTH", "FicheYearForm", "form_data_with_conflicts"]

NARRATIVE_MAX_LENGTH = 10000


def _narrative(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=NARRATIVE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )


class FicheYearForm(RowFields, EntryValidation, ConflictChoices, forms.Form):
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
        self._add_resolve_fields()
        if read_only:
            for form_field in self.fields.values():
                form_field.disabled = True
        self._bind_rows()

    def seen_versions(self) -> dict[str, int]:
        versions = {
            f"value_{row.indicator.pk}": self.cleaned_data.get(f"version_{row.indicator.pk}") or 0
            for row in self.indicator_rows
        }
        versions["review"] = self.cleaned_data.get("review_version") or 0
        return versions
