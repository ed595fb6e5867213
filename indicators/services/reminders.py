"""Reminders to pilots before a campaign's deadline: the "deadline" notifications (14 and 3 days
before by default, SPASER_REMINDER_DAYS), created by the daily command `send_reminders`."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone

from actions.models import FichePilot

from .. import rules
from ..models import AnnualReview, Campaign
from . import notices


@dataclass
class Reminder:
    email: str
    year: int
    fiche_numbers: list[int]


def _pending_fiches_per_user(campaign: Campaign) -> list[tuple[User, list[int]]]:
    """Each active pilot with an e-mail address and the fiches they pilot not yet handed over."""
    done = set(
        AnnualReview.objects.filter(fiche__plan=campaign.plan, year=campaign.year)
        .handed_over()
        .values_list("fiche_id", flat=True)
    )
    per_user: dict[int, tuple[User, set[int]]] = {}
    links = (
        FichePilot.objects.filter(fiche__plan=campaign.plan)
        .select_related("fiche")
        .prefetch_related("pilot__users")
    )
    for link in links:
        if link.fiche_id in done:
            continue
        for user in link.pilot.users.all():
            if user.is_active and user.email:
                per_user.setdefault(user.pk, (user, set()))[1].add(link.fiche.number)
    return [
        (user, sorted(numbers))
        for user, numbers in sorted(per_user.values(), key=lambda item: item[0].username)
    ]


def campaign_remind(
    *, days: list[int], today: datetime.date | None = None, send: bool = True
) -> list[Reminder]:
    """Notify each pilot whose fiches are not yet submitted, when an open campaign's deadline is
    exactly one of `days` away (the "deadline" notification: at once, in the day's digest, or not at
    all, as each pilot chose). One per pilot, campaign and day, listing their fiches; run twice the
    same day, it notifies once. `send` False: only say who would be notified. Returns the
    reminders made."""
    today = today or timezone.localdate()
    reminders: list[Reminder] = []
    for campaign in Campaign.objects.open().select_related("plan").order_by("year"):
        remaining = (campaign.deadline - today).days
        if remaining not in days or rules.follow_up_refusal(plan=campaign.plan, years={campaign.year}):
            continue  # not due, or a campaign its plan's state no longer runs (actions.states)
        for user, numbers in _pending_fiches_per_user(campaign):
            if send and not notices.deadline_notify(
                campaign=campaign, user=user, fiche_numbers=numbers, remaining=remaining, today=today
            ):
                continue  # already reminded today
            reminders.append(Reminder(user.email, campaign.year, numbers))
    return reminders
