"""What the yearly follow-up tells people by e-mail (notifications app): who is concerned, what the
e-mail says, which page it leads to. Called from the workflow's and the campaigns' services, in their
transaction: a refused or rolled-back action notifies nobody.

Pilots hear of their plan's campaigns and of their fiches' years; SCP of a year handed over. Nothing
goes to pilots about a plan in preparation (`plan_state_refusal`, plugged into the notifications app).
"""

from django.contrib.auth.models import User
from django.urls import reverse

from actions.models import Fiche, Plan
from core import rights
from core.people import person_name
from notifications.enums import PILOT_KINDS, NotificationKind
from notifications.services import notify, scp_recipients, site_link

from ..models import Campaign


def pilot_users(*, fiches) -> list[User]:
    """The active accounts of the pilots' group holding a pilot post of `fiches` (a queryset)."""
    return list(
        User.objects.filter(
            pilot_posts__fiche_pilots__fiche__in=fiches, groups__name=rights.PILOTS_GROUP, is_active=True
        )
        .distinct()
        .order_by("username")
    )


def plan_state_refusal(kind: str, plan_id: int | None) -> str | None:
    """A plan in preparation is not shown to pilots: nothing is sent to them about it."""
    if kind not in PILOT_KINDS or plan_id is None:
        return None
    plan = Plan.objects.filter(pk=plan_id).only("state").first()
    if plan is not None and plan.is_in_preparation:
        return "Plan en préparation : rien n'est envoyé aux pilotes."
    return None


def _plan_title(plan: Plan) -> str:
    return f"{plan.short_title} {plan.period}"


def year_notify(*, kind: str, fiche: Fiche, year: int, user: User, comment: str = "") -> None:
    """A fiche-year changed hands: submitted (to SCP), returned, validated or reopened (to its pilots)."""
    recipients = (
        scp_recipients() if kind == NotificationKind.YEAR_SUBMITTED else pilot_users(fiches=[fiche.pk])
    )
    notify(
        kind=kind,
        recipients=recipients,
        context={
            "plan_title": _plan_title(fiche.plan),
            "fiche_number": fiche.number,
            "fiche_title": fiche.title,
            "year": year,
            "comment": comment,
            "by_name": person_name(user),
        },
        link=site_link(reverse("indicators:entry", args=[fiche.plan.slug, fiche.number, year])),
        plan_id=fiche.plan_id,
        fiche_id=fiche.pk,
        year=year,
        actor=user,
    )


def campaign_opened_notify(*, campaign: Campaign, user: User) -> None:
    """A campaign opens: every pilot of the plan is asked for the year's bilan."""
    plan = campaign.plan
    notify(
        kind=NotificationKind.CAMPAIGN_OPENED,
        recipients=pilot_users(fiches=Fiche.objects.filter(plan=plan)),
        context={"plan_title": _plan_title(plan), "year": campaign.year, "deadline": campaign.deadline},
        link=site_link(reverse("indicators:my_fiches")),
        plan_id=plan.pk,
        year=campaign.year,
        actor=user,
    )


def deadline_notify(
    *, campaign: Campaign, user: User, fiche_numbers: list[int], remaining: int, today
) -> bool:
    """A pilot's fiches of an open campaign are not handed over, `remaining` days before its deadline;
    once per pilot, campaign and day (the daily command may run twice): False if already told."""
    plan = campaign.plan
    created = notify(
        kind=NotificationKind.DEADLINE,
        recipients=[user],
        context={
            "plan_title": _plan_title(plan),
            "year": campaign.year,
            "deadline": campaign.deadline,
            "remaining": remaining,
            "fiche_numbers": [str(number) for number in fiche_numbers],
        },
        link=site_link(reverse("indicators:my_fiches")),
        plan_id=plan.pk,
        year=campaign.year,
        key=f"deadline:{campaign.pk}:{today.isoformat()}",
    )
    return bool(created)
