"""What a plan's state allows: the one rule every writer asks (pages, admin, imports, commands).

| state          | who reads it                    | what may be written                                   |
|----------------|---------------------------------|-------------------------------------------------------|
| en préparation | SCP and the comité (not pilots) | everything (SCP prepares it); no campaign yet         |
| en vigueur     | every role                      | everything the rights and the workflow allow          |
| clos           | every role                      | only the follow-up of its last year, until the final  |
|                |                                 | bilan is published; then nothing at all ("scellé")   |

Whether the final bilan is published is the reporting app's to say: it plugs a check in with
`register_seal_check`, so this app never imports upward (as with services.register_write_guard).
"""

from collections.abc import Callable

from django.db import models

from . import enums

# A seal check answers: is this (closed) plan's final bilan published?
SealCheck = Callable[[models.Model], bool]
_seal_checks: list[SealCheck] = []


def register_seal_check(check: SealCheck) -> SealCheck:
    if check not in _seal_checks:
        _seal_checks.append(check)
    return check


def is_sealed(plan) -> bool:
    """A closed plan whose final bilan is published: nothing may be written in it any more."""
    return plan.state == enums.PlanState.CLOSED and any(check(plan) for check in _seal_checks)


def closed_message(plan) -> str:
    return f"Le plan « {plan} » est clos : il se consulte mais ne se modifie plus. Rien n'a été enregistré."


def content_refusal(plan) -> str | None:
    """Why the plan's content (fiches, pilots, milestones' definitions, indicators...) may not be
    written now, or None."""
    if plan.state == enums.PlanState.CLOSED:
        return closed_message(plan)
    return None


def follow_up_state_refusal(plan, year: int | None) -> str | None:
    """Why the follow-up of `year` (values, reviews, milestones' progress, campaign, bilan, contracts)
    may not be written now, or None. `year` None: a write not tied to one year."""
    if plan.state == enums.PlanState.PREPARATION:
        return (
            f"Le plan « {plan} » est en préparation : son suivi annuel commencera quand il sera en "
            "vigueur. Rien n'a été enregistré."
        )
    if plan.state != enums.PlanState.CLOSED:
        return None
    if year == plan.end_year and not is_sealed(plan):
        return None
    if year == plan.end_year:
        return (
            f"Le plan « {plan} » est clos et son bilan de fin de plan est publié : il ne se modifie "
            "plus. Rien n'a été enregistré."
        )
    return (
        f"Le plan « {plan} » est clos : seule la campagne de sa dernière année ({plan.end_year}) "
        "peut encore être menée. Rien n'a été enregistré."
    )


def plan_of(obj) -> "models.Model | None":
    """The plan a row of the plan's content belongs to (walking up fiche, axis, indicator...)."""
    for _ in range(5):
        if obj is None:
            return None
        if obj._meta.label == "actions.Plan":
            return obj
        for attr in ("plan", "fiche", "axis", "indicator", "objective"):
            if hasattr(obj, f"{attr}_id") and getattr(obj, f"{attr}_id") is not None:
                obj = getattr(obj, attr)
                break
        else:
            return None
    return None
