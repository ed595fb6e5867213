"""What a message in a fiche-year's discussion tells the other side by e-mail (notifications app).

A pilot writes: SCP and the fiche's other pilots hear of it; SCP writes: the fiche's pilots. Never the
author (`notify` leaves the actor out); nothing to pilots about a plan in preparation (the audience
check the follow-up plugs into the notifications app), where no discussion is written anyway.
"""

from django.contrib.auth.models import User
from django.urls import reverse

from core import rights
from core.people import person_name
from indicators.services.notices import pilot_users
from notifications.enums import NotificationKind
from notifications.services import notify, scp_recipients, site_link

from .models import Message, Thread


def thread_url(thread: Thread) -> str:
    """The discussion page of the thread's fiche-year, at the thread."""
    fiche = thread.fiche
    path = reverse("discussions:threads", args=[fiche.plan.slug, fiche.number, thread.year])
    return f"{path}#fil-{thread.pk}"


def about_label(thread: Thread) -> str:
    """What the thread is about, as a reader names it ("" for the fiche-year as a whole)."""
    if thread.indicator_id:
        return f"indicateur {thread.indicator.code}"
    if thread.milestone_id:
        return f"jalon « {thread.milestone.text} »"
    if thread.evidence_id:
        return f"preuve « {thread.evidence.title} »"
    return ""


def message_notify(*, message: Message, thread: Thread, user: User) -> None:
    fiche = thread.fiche
    pilots = pilot_users(fiches=[fiche.pk])
    recipients = pilots if rights.is_scp(user) else [*scp_recipients(), *pilots]
    plan = fiche.plan
    notify(
        kind=NotificationKind.THREAD_MESSAGE,
        recipients=recipients,
        context={
            "plan_title": f"{plan.short_title} {plan.period}",
            "fiche_number": fiche.number,
            "fiche_title": fiche.title,
            "year": thread.year,
            "thread_subject": thread.subject,
            "about": about_label(thread),
            "body": message.body,
            "by_name": person_name(user),
        },
        link=site_link(thread_url(thread)),
        plan_id=plan.pk,
        fiche_id=fiche.pk,
        year=thread.year,
        actor=user,
    )
