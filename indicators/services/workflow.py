"""The yearly workflow of a fiche: when a year may be entered, and the transitions SCP decides.

A fiche's year (its AnnualReview) goes draft -> submitted (by a pilot or SCP) -> validated or
returned (by SCP); SCP reopens a validated year to correct it. Rights (core.rights) say who may
act; this module says when. Whether a year's follow-up may still be written at all (the plan's state,
a validated year) is indicators.rules'; `register_guards` plugs that rule into the writes of the
plan's content (milestones, indicators, fiches) without the plan's app knowing about years.
"""

from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from actions.enums import MilestoneStatus
from actions.models import Fiche, Indicator, Milestone, Plan
from actions.services import register_write_guard
from core import rights
from core.versioning import StaleWrite, save_claimed
from notifications.enums import NotificationKind

from .. import rules
from ..enums import ReviewStatus
from ..models import AnnualReview, Campaign, IndicatorValue
from ..rules import PlanStateRefused, WorkflowError
from . import notices

__all__ = ["PlanStateRefused", "WorkflowError"]  # the workflow's refusals (defined with the rule)


class ConfirmationRequired(WorkflowError):
    """The action may go ahead once SCP confirms it (e.g. validating a year whose discussion is still
    open); the message says why, in French."""


# --- hooks that higher apps plug in (at their AppConfig.ready) -------------------------------------------
# A return hook runs in the return's transaction: (fiche, year, user, comment). A validation check
# answers, before a year is validated, why SCP should confirm it (a French sentence), or None.
ReturnHook = Callable[..., None]
ValidationCheck = Callable[..., str | None]
_return_hooks: list[ReturnHook] = []
_validation_checks: list[ValidationCheck] = []


def register_return_hook(hook: ReturnHook) -> ReturnHook:
    if hook not in _return_hooks:
        _return_hooks.append(hook)
    return hook


def register_validation_check(check: ValidationCheck) -> ValidationCheck:
    if check not in _validation_checks:
        _validation_checks.append(check)
    return check


def validation_confirmations(*, fiche: Fiche, year: int) -> list[str]:
    """What SCP is asked to confirm before validating this fiche-year (empty: nothing)."""
    return [reason for check in _validation_checks if (reason := check(fiche=fiche, year=year))]


# --- the lock of a validated year, in the plan's content -----------------------------------------------


def milestone_years(status: str, completed_on) -> set[int]:
    """The year a milestone's state belongs to: the year it was completed, if it was."""
    return {completed_on.year} if completed_on else set()


def _progress_refusal(milestone: Milestone, stored: dict | None, years: set[int]) -> str | None:
    """A milestone's progress (status, completed on) is follow-up: none in a plan in preparation; in a
    closed plan, only its last year's (a change without a date counts as that year's)."""
    if stored is None and milestone.status == MilestoneStatus.PLANNED and milestone.completed_on is None:
        return None  # a new milestone, not yet followed: the plan's content (its own guard)
    plan = milestone.fiche.plan
    return rules.follow_up_refusal(plan=plan, years=years or {plan.end_year})


def milestone_refusal(milestone: Milestone, *, deleting: bool = False) -> str | None:
    """A milestone completed in a validated year keeps its state until that year is reopened; its
    progress follows the plan's state (`_progress_refusal`)."""
    stored = (
        Milestone.objects.filter(pk=milestone.pk).values("status", "completed_on").first()
        if milestone.pk
        else None
    )
    years = set()
    if stored:
        changed = deleting or (stored["status"], stored["completed_on"]) != (
            milestone.status,
            milestone.completed_on,
        )
        if not changed:
            return None
        years |= milestone_years(stored["status"], stored["completed_on"])
    if not deleting:
        years |= milestone_years(milestone.status, milestone.completed_on)
    if not deleting:
        refusal = _progress_refusal(milestone, stored, years)
        if refusal:
            return refusal
    return rules.locked_refusal(fiche=milestone.fiche, years=years)


def _guard_follow_up(obj, deleting: bool) -> str | None:
    """The validated-year lock, for the plan's writes (registered in IndicatorsConfig.ready)."""
    if isinstance(obj, Milestone):
        return milestone_refusal(obj, deleting=deleting)
    if not deleting:
        return None
    if isinstance(obj, Indicator):
        years = IndicatorValue.objects.filter(indicator=obj).values_list("year", flat=True)
        return rules.locked_refusal(fiche=obj.fiche, years=set(years))
    if isinstance(obj, Fiche):
        validated = rules.validated_years(obj)
        return rules.locked_refusal(fiche=obj, years=validated, validated=validated)
    if isinstance(obj, Plan):
        first = AnnualReview.objects.filter(fiche__plan=obj).validated().select_related("fiche").first()
        return rules.locked_message(first.fiche, first.year) if first else None
    return None


def register_guards() -> None:
    register_write_guard(_guard_follow_up)


# --- when a year may be entered --------------------------------------------------------------------


def entry_refusal(
    *,
    user,
    fiche: Fiche,
    year: int,
    campaign: Campaign | None,
    review: AnnualReview | None,
    follow_up: rules.PlanFollowUp | None = None,
) -> str | None:
    """Why `user` may not edit this fiche's year now (a French sentence), or None if they may.

    Raises PermissionDenied for a user who may not enter this fiche at all. `follow_up`: the rule read
    for the whole plan at once, when the caller checks many fiche-years (a batch).
    """
    status = review.status if review else ReviewStatus.DRAFT
    if not rights.may_enter(user, fiche):
        raise PermissionDenied("Vous ne pilotez pas cette fiche.")
    # The follow-up rule first, for SCP too: the plan's state, then the validated year.
    validated = {year} if status == ReviewStatus.VALIDATED else set()
    if follow_up is not None:
        refusal = follow_up.refusal(fiche, year)
    else:
        refusal = rules.follow_up_refusal(fiche=fiche, years={year}, validated=validated)
    if refusal:
        return refusal
    if rights.is_scp(user):
        return None
    if campaign is None or not campaign.is_open:
        return f"La campagne {year} n'est pas ouverte : la saisie n'est pas possible."
    if status == ReviewStatus.SUBMITTED:
        return f"Le bilan {year} a été soumis : il attend l'examen du service commande publique."
    return None


def entry_refusals(*, plan: Plan, fiche_years: list[tuple[Fiche, int]], user) -> dict[tuple[int, int], str]:
    """`entry_refusal` of many fiche-years of `plan` (a batch), read in three queries whatever their
    number: the French reason of each refused one, by (fiche id, year). Raises PermissionDenied for a
    user who may not enter one of the fiches at all."""
    years = {year for _, year in fiche_years}
    reviews = AnnualReview.objects.filter(fiche__plan=plan, fiche_id__in={f.pk for f, _ in fiche_years})
    reviews = {(r.fiche_id, r.year): r for r in reviews.filter(year__in=years)}
    campaigns = {}
    if not rights.is_scp(user):
        campaigns = {c.year: c for c in Campaign.objects.filter(plan=plan, year__in=years)}
    follow_up = rules.PlanFollowUp(plan)
    refusals = {}
    for fiche, year in fiche_years:
        refusal = entry_refusal(
            user=user,
            fiche=fiche,
            year=year,
            campaign=campaigns.get(year),
            review=reviews.get((fiche.pk, year)),
            follow_up=follow_up,
        )
        if fiche.plan_id != plan.pk:
            refusal = "Une fiche de la saisie n'appartient pas à ce plan."
        if refusal:
            refusals[fiche.pk, year] = refusal
    return refusals


def require_editable(*, user, fiche: Fiche, year: int, review: AnnualReview | None) -> None:
    """`entry_refusal`, raised (WorkflowError; PermissionDenied for a user who may not enter the fiche).
    SCP enters whatever the campaign: it is read for the others only."""
    rights.require(rights.may_enter(user, fiche), "Vous ne pilotez pas cette fiche.")
    campaign = (
        None if rights.is_scp(user) else Campaign.objects.filter(plan_id=fiche.plan_id, year=year).first()
    )
    refusal = entry_refusal(user=user, fiche=fiche, year=year, campaign=campaign, review=review)
    if refusal:
        raise WorkflowError(refusal)


# --- the transitions ---------------------------------------------------------------------------------


def _transition(review: AnnualReview, *, user: User, **changes) -> AnnualReview:
    for name, value in changes.items():
        setattr(review, name, value)
    try:
        save_claimed(review, seen=None, user=user)
    except StaleWrite:
        raise WorkflowError(
            "Ce bilan vient d'être modifié par quelqu'un d'autre : rechargez la page."
        ) from None
    return review


@transaction.atomic
def fiche_year_submit(*, fiche: Fiche, year: int, user: User) -> AnnualReview:
    """The pilot (or SCP) hands the year over to SCP; it is then read-only for pilots."""
    review = AnnualReview.objects.filter(fiche=fiche, year=year).first()
    require_editable(user=user, fiche=fiche, year=year, review=review)
    if review is None:
        review = AnnualReview(fiche=fiche, year=year, updated_by=user)
        save_claimed(review, seen=None, user=user)
    review = _transition(
        review, user=user, status=ReviewStatus.SUBMITTED, submitted_at=timezone.now(), submitted_by=user
    )
    notices.year_notify(kind=NotificationKind.YEAR_SUBMITTED, fiche=fiche, year=year, user=user)
    return review


def _decided_review(*, fiche: Fiche, year: int, allowed: tuple, action: str) -> AnnualReview:
    rules.require_follow_up(plan=fiche.plan, years={year})  # the review's own status says the rest
    review = AnnualReview.objects.filter(fiche=fiche, year=year).first()
    if review is None or review.status not in allowed:
        state = review.get_status_display().lower() if review else "non saisi"
        raise WorkflowError(
            f"Impossible de {action} : le bilan {year} de la fiche {fiche.number} est {state}."
        )
    return review


@transaction.atomic
def fiche_year_validate(*, fiche: Fiche, year: int, user: User, confirm: bool = False) -> AnnualReview:
    """SCP accepts a submitted year: it is locked until reopened. What the validation checks ask SCP to
    confirm (an open discussion) raises ConfirmationRequired unless `confirm`."""
    rights.require(rights.may_validate(user), "Action réservée au service commande publique.")
    review = _decided_review(fiche=fiche, year=year, allowed=(ReviewStatus.SUBMITTED,), action="valider")
    reasons = [] if confirm else validation_confirmations(fiche=fiche, year=year)
    if reasons:
        raise ConfirmationRequired(" ".join(reasons))
    review = _transition(
        review, user=user, status=ReviewStatus.VALIDATED, validated_at=timezone.now(), validated_by=user
    )
    notices.year_notify(kind=NotificationKind.YEAR_VALIDATED, fiche=fiche, year=year, user=user)
    return review


@transaction.atomic
def fiche_year_return(*, fiche: Fiche, year: int, user: User, comment: str) -> AnnualReview:
    """SCP sends a submitted year back to its pilots with what to change."""
    rights.require(rights.may_return(user), "Action réservée au service commande publique.")
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError("Indiquez au pilote ce qu'il doit revoir (commentaire obligatoire).")
    review = _decided_review(fiche=fiche, year=year, allowed=(ReviewStatus.SUBMITTED,), action="renvoyer")
    review = _transition(review, user=user, status=ReviewStatus.RETURNED, return_comment=comment)
    for hook in _return_hooks:
        hook(fiche=fiche, year=year, user=user, comment=comment)
    notices.year_notify(
        kind=NotificationKind.YEAR_RETURNED, fiche=fiche, year=year, user=user, comment=comment
    )
    return review


@transaction.atomic
def fiche_year_reopen(*, fiche: Fiche, year: int, user: User, comment: str = "") -> AnnualReview:
    """SCP unlocks a validated (or submitted) year so that it can be corrected."""
    rights.require(rights.may_reopen(user), "Action réservée au service commande publique.")
    review = _decided_review(
        fiche=fiche,
        year=year,
        allowed=(ReviewStatus.VALIDATED, ReviewStatus.SUBMITTED),
        action="rouvrir",
    )
    comment = (comment or "").strip()
    review = _transition(
        review,
        user=user,
        status=ReviewStatus.RETURNED,
        return_comment=comment,
        validated_at=None,
        validated_by=None,
    )
    notices.year_notify(
        kind=NotificationKind.YEAR_REOPENED, fiche=fiche, year=year, user=user, comment=comment
    )
    return review
