"""The entry form's validation: each value read by core.values, a register-computed value checked
against its figure, each milestone's date; what passes becomes the entry service's inputs."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from core import values
from indicators.services.entry import REVIEW_FIELDS, MilestoneInput, ValueInput

from .rows import parse_seen

MISMATCH = object()  # a register-computed value refused by `_register_checked`


class EntryValidation:
    """`clean` of the entry form: `parsed_values` and `parsed_milestones` for the service."""

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
        it; another value typed or changed only with a comment saying why (both stay visible on the page).
        A value saved earlier and left as it was, without a comment, is kept: the register's figure may
        have changed since, or SCP linked the indicator afterwards, and the pilot saving the rest of the
        fiche must not be refused for a row they did not touch; the page shows the difference."""
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
            if _untouched(row, raw):
                return raw  # saved before the figure changed or the link was made: shown as differing
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
            seen_done, seen_date = parse_seen(cleaned.get(f"{prefix}_seen") or "")
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


def _untouched(row, raw) -> bool:
    """The submitted value is the one already saved, which had no comment either."""
    stored = row.value
    return stored is not None and not stored.comment and values.same_value(raw, stored.raw)
