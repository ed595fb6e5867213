"""E-mail reminders to pilots before a campaign's deadline."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import timezone

from actions.models import FichePilot
from core.people import person_name

from .. import rules
from ..models import AnnualReview, Campaign


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


def _message(campaign: Campaign, user: User, numbers: list[int], remaining: int) -> tuple:
    site = getattr(settings, "SPASER_SITE_URL", "")
    plural = "s" if len(numbers) > 1 else ""
    body = (
        f"Bonjour {person_name(user)},\n\n"
        f"La saisie du bilan {campaign.year} du {campaign.plan.short_title} se termine le "
        f"{campaign.deadline:%d/%m/%Y} (dans {remaining} jour{'s' if remaining > 1 else ''}).\n"
        f"Fiche{plural} à compléter et soumettre : {', '.join(str(n) for n in numbers)}.\n\n"
        f"Votre espace : {site}{reverse('indicators:my_fiches')}\n\n"
        "Service commande publique"
    )
    subject = f"[SPASER] Bilan {campaign.year} à soumettre avant le {campaign.deadline:%d/%m/%Y}"
    return (subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def campaign_remind(
    *, days: list[int], today: datetime.date | None = None, send: bool = True
) -> list[Reminder]:
    """E-mail each pilot whose fiches are not yet submitted, when an open campaign's deadline is
    exactly one of `days` away. One message per pilot and campaign, listing their fiches."""
    today = today or timezone.localdate()
    reminders: list[Reminder] = []
    messages = []
    for campaign in Campaign.objects.open().select_related("plan").order_by("year"):
        remaining = (campaign.deadline - today).days
        if remaining not in days or rules.follow_up_refusal(plan=campaign.plan, years={campaign.year}):
            continue  # not due, or a campaign its plan's state no longer runs (actions.states)
        for user, numbers in _pending_fiches_per_user(campaign):
            reminders.append(Reminder(user.email, campaign.year, numbers))
            messages.append(_message(campaign, user, numbers, remaining))
    if send and messages:
        send_mass_mail(messages, fail_silently=False)
    return reminders
