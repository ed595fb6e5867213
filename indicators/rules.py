"""May these fiche-years' follow-up be written now, and if not, why: the one rule every writer asks.

The follow-up of a year (its values, its review, its milestones' progress, its campaign, its bilan) is
written only
- while the plan's state runs that year's follow-up (actions.states: none in a plan in preparation;
  in a closed plan, only its last year's, until its final bilan is published and seals it), and
- while the fiche's year is not validated: a validated year is locked for everyone (SCP included)
  until SCP reopens it.

The services of the follow-up (entry, workflow, campaigns, the values workbook, the bilans) raise
what `require_follow_up` raises; the entry page, the campaign pages and the admin show that French
message, and ask `follow_up_refusal` only where a page must know beforehand (a read-only page).
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied

from actions import states
from actions.models import Fiche, Plan

from .models import AnnualReview


class WorkflowError(Exception):
    """The action is not allowed in the current state; the message is for the user (French)."""


class PlanStateRefused(WorkflowError, PermissionDenied):
    """The plan's state (actions.states) refuses the follow-up. A PermissionDenied too, so a page that
    does not catch WorkflowError answers 403 with the French reason, never 500."""


def locked_message(fiche: Fiche, year: int) -> str:
    return (
        f"Le bilan {year} de la fiche {fiche.number} est validé : il ne peut plus être modifié "
        "sauf réouverture par le service commande publique."
    )


def validated_years(fiche: Fiche) -> set[int]:
    return set(AnnualReview.objects.filter(fiche=fiche).validated().values_list("year", flat=True))


def _years(years: Iterable[int | None]) -> list[int]:
    return sorted({year for year in years if year is not None})


def _state_refusal(plan: Plan, years: list[int]) -> str | None:
    for year in years:
        refusal = states.follow_up_state_refusal(plan, year)
        if refusal:
            return refusal
    return None


def locked_refusal(
    *, fiche: Fiche, years: Iterable[int | None], validated: set[int] | None = None
) -> str | None:
    """The validated-year lock alone, for writes of the plan's content that carry follow-up (deleting
    an indicator or a fiche with validated years): why it is refused, or None."""
    years = _years(years)
    if not years:
        return None
    validated = validated_years(fiche) if validated is None else validated
    locked = [year for year in years if year in validated]
    return locked_message(fiche, locked[0]) if locked else None


def follow_up_refusal(
    *,
    years: Iterable[int | None],
    fiche: Fiche | None = None,
    plan: Plan | None = None,
    validated: set[int] | None = None,
) -> str | None:
    """Why the follow-up of `years` may not be written now (a French sentence), or None if it may.

    `fiche`: the fiche whose years they are (the plan's state, then its validated years); `plan` alone:
    a write of the plan's follow-up tied to no fiche (a campaign, a bilan): its state only. `validated`:
    the fiche's validated years when the caller has already read them (saves a query).
    """
    years = _years(years)
    plan = plan if plan is not None else fiche.plan
    refusal = _state_refusal(plan, years)
    if refusal or fiche is None:
        return refusal
    return locked_refusal(fiche=fiche, years=years, validated=validated)


def require_follow_up(
    *,
    years: Iterable[int | None],
    fiche: Fiche | None = None,
    plan: Plan | None = None,
    validated: set[int] | None = None,
) -> None:
    """`follow_up_refusal`, raised: PlanStateRefused for the plan's state, WorkflowError for a
    validated year. Every service that writes the follow-up calls it."""
    years = _years(years)
    refusal = _state_refusal(plan if plan is not None else fiche.plan, years)
    if refusal:
        raise PlanStateRefused(refusal)
    refusal = locked_refusal(fiche=fiche, years=years, validated=validated) if fiche is not None else None
    if refusal:
        raise WorkflowError(refusal)


class PlanFollowUp:
    """The rule for every fiche-year of a plan at once, read in one query (the values workbook checks
    each of its cells with it): `refusal(fiche, year)` says what `follow_up_refusal` would say."""

    def __init__(self, plan: Plan):
        self.plan = plan
        validated = AnnualReview.objects.filter(fiche__plan=plan).validated().values_list("fiche_id", "year")
        self._validated = set(validated)
        self._state = {year: states.follow_up_state_refusal(plan, year) for year in plan.years}

    def refusal(self, fiche: Fiche, year: int) -> str | None:
        if year not in self._state:
            self._state[year] = states.follow_up_state_refusal(self.plan, year)
        if self._state[year]:
            return self._state[year]
        return locked_message(fiche, year) if (fiche.pk, year) in self._validated else None
