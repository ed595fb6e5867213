"""The yearly campaigns SCP opens and closes."""

import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from actions.enums import PlanState
from actions.models import Plan
from core import rights
from core.versioning import save_claimed

from .. import rules
from ..enums import CampaignStatus
from ..models import Campaign
from ..rules import WorkflowError
from . import notices


def campaign_refusal(*, plan: Plan, year: int | None, deadline: datetime.date | None) -> str | None:
    """Why a campaign of `year` with this deadline cannot be opened, in French, or None: the plan's
    state first (none in preparation; in a closed plan, only its last year's until it is sealed)."""
    refusal = rules.follow_up_refusal(plan=plan, years={year})
    if refusal:
        return refusal
    if year is not None and year not in plan.years:
        return f"L'année {year} est hors du plan ({plan.start_year}-{plan.end_year})."
    if year is not None and deadline is not None and deadline.year < year:
        return "La date limite doit suivre l'année suivie."
    return None


@transaction.atomic
def campaign_open(*, plan: Plan, year: int, deadline: datetime.date, user: User) -> Campaign:
    """Open (or reopen, or move the deadline of) the campaign of `year`."""
    rights.require(rights.may_run_campaigns(user), "Action réservée au service commande publique.")
    refusal = campaign_refusal(plan=plan, year=year, deadline=deadline)
    if refusal:
        raise WorkflowError(refusal)
    campaign = Campaign.objects.filter(plan=plan, year=year).first() or Campaign(plan=plan, year=year)
    was_open = campaign.pk is not None and campaign.is_open
    campaign.deadline, campaign.status, campaign.closed_at = deadline, CampaignStatus.OPEN, None
    save_claimed(campaign, seen=None, user=user)
    if not was_open:  # opened or reopened (a new deadline alone tells nobody)
        notices.campaign_opened_notify(campaign=campaign, user=user)
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, user: User) -> Campaign:
    """Close a campaign: pilots can no longer save or submit for that year."""
    rights.require(rights.may_run_campaigns(user), "Action réservée au service commande publique.")
    rules.require_follow_up(plan=campaign.plan, years={campaign.year})
    campaign.status, campaign.closed_at = CampaignStatus.CLOSED, timezone.now()
    save_claimed(campaign, seen=None, user=user)
    return campaign


@transaction.atomic
def campaign_save(*, campaign: Campaign, user: User, seen_version: int | None) -> Campaign:
    """An edit of a campaign in the admin: same rules as opening one, and the version check."""
    rights.require(rights.may_run_campaigns(user), "Action réservée au service commande publique.")
    refusal = campaign_refusal(plan=campaign.plan, year=campaign.year, deadline=campaign.deadline)
    if refusal:
        raise WorkflowError(refusal)
    was_open = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.OPEN).exists()
    if campaign.is_open:
        campaign.closed_at = None
    elif campaign.closed_at is None:
        campaign.closed_at = timezone.now()
    save_claimed(campaign, seen=seen_version, user=user)
    if campaign.is_open and not was_open:
        notices.campaign_opened_notify(campaign=campaign, user=user)
    return campaign


def campaigns_end_with_plan(plan: Plan, state: str, user: User | None) -> None:
    """Closing a plan closes its campaigns of the years before its last, still open: their follow-up
    ends with it (actions.states), so no pilot is asked for a year that refuses every entry. Runs in
    plan_state_set's transaction, before the plan's state changes (registered in IndicatorsConfig)."""
    if state != PlanState.CLOSED:
        return
    now = timezone.now()
    for campaign in Campaign.objects.filter(plan=plan, year__lt=plan.end_year).open():
        campaign.status, campaign.closed_at = CampaignStatus.CLOSED, now
        save_claimed(campaign, seen=None, user=user)
