"""Notifying people: `notify` writes one notification per recipient in the caller's transaction and
queues the e-mails after the commit; `preferences_set` records how a person wants each kind.

This app knows none of the plan's apps: the callers (indicators) say who is concerned and what the
e-mail says (its template's context); a higher app that must veto a notification (a plan in
preparation) plugs an audience check in with `register_audience_check`.
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from core import rights
from core.queue import enqueue

from . import tasks
from .enums import PILOT_KINDS, SCP_KINDS, Mode, NotificationKind, NotificationState
from .models import Notification, Preference

# An audience check answers: may this kind of notification about this plan go out at all? A French
# reason when not (recorded on the notification), else None.
AudienceCheck = Callable[[str, int | None], str | None]
_audience_checks: list[AudienceCheck] = []


def register_audience_check(check: AudienceCheck) -> AudienceCheck:
    if check not in _audience_checks:
        _audience_checks.append(check)
    return check


def audience_refusal(*, kind: str, plan_id: int | None) -> str | None:
    for check in _audience_checks:
        reason = check(kind, plan_id)
        if reason:
            return reason
    return None


def recipient_refusal(user: User, mode: str) -> str | None:
    """Why this person gets no e-mail (a French reason, kept on the notification), or None."""
    if not user.is_active:
        return "Compte désactivé."
    if not user.email:
        return "Aucune adresse e-mail sur le compte."
    if mode == Mode.NONE:
        return "La personne ne souhaite pas recevoir ce type d'e-mail."
    return None


def site_link(path: str) -> str:
    """An absolute address of the site, for the e-mails (they are read outside any request)."""
    return settings.NOTIFICATIONS_SITE_URL + path


def kinds_for(user: User) -> list[str]:
    """The kinds of notification that concern `user`'s roles (for the preferences page)."""
    pilot, scp = rights.is_pilot(user), rights.is_scp(user)
    return [
        kind for kind in NotificationKind if (pilot and kind in PILOT_KINDS) or (scp and kind in SCP_KINDS)
    ]


def preference_modes(*, user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each person's mode for `kind` (immediate when they never chose)."""
    user_ids = list(user_ids)
    chosen = dict(Preference.objects.filter(user_id__in=user_ids, kind=kind).values_list("user_id", "mode"))
    return {pk: chosen.get(pk, Mode.IMMEDIATE) for pk in user_ids}


def scp_recipients() -> list[User]:
    """The accounts core.rights treats as SCP (its group, and superusers), active ones."""
    return list(
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=rights.SCP_GROUP), is_active=True)
        .distinct()
        .order_by("username")
    )


def _render(kind: str, context: dict) -> tuple[str, str, str]:
    base = f"notifications/email/{kind}"
    subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
    return (
        subject,
        render_to_string(f"{base}.txt", context).strip(),
        render_to_string(f"{base}.html", context),
    )


@transaction.atomic
def notify(
    *,
    kind: str,
    recipients: Iterable[User],
    context: dict,
    link: str,
    plan_id: int | None = None,
    fiche_id: int | None = None,
    year: int | None = None,
    key: str = "",
    actor: User | None = None,
) -> list[Notification]:
    """Notify `recipients` of an event of `kind`: one notification each, written in the caller's
    transaction (rolled back with it), the e-mails queued after the commit (each person's preference
    says at once, in the day's digest, or not at all).

    `context` feeds the kind's templates (templates/notifications/email/); `link` is the page the
    e-mail leads to (absolute: `site_link`). The person who acted (`actor`) is not told what they did.
    With a `key`, a person is notified once only of that event, however often it is raised.
    """
    people = {user.pk: user for user in recipients if actor is None or user.pk != actor.pk}
    if key:
        done = Notification.objects.filter(key=key, recipient_id__in=people).values_list(
            "recipient_id", flat=True
        )
        for pk in set(done):
            del people[pk]
    if not people:
        return []
    modes = preference_modes(user_ids=people, kind=kind)
    refusal = audience_refusal(kind=kind, plan_id=plan_id)
    subject, text, html = _render(kind, context)
    today = timezone.localdate()
    rows = []
    for user in sorted(people.values(), key=lambda user: user.username):
        reason = refusal or recipient_refusal(user, modes[user.pk])
        rows.append(
            Notification(
                kind=kind,
                recipient=user,
                mode=modes[user.pk],
                subject=subject,
                body_text=text,
                body_html=html,
                link=link,
                plan_id=plan_id,
                fiche_id=fiche_id,
                year=year,
                key=key,
                day=today,
                state=NotificationState.SKIPPED if reason else NotificationState.PENDING,
                reason=reason or "",
            )
        )
    created = Notification.objects.bulk_create(rows)
    now = [n.pk for n in created if n.state == NotificationState.PENDING and n.mode == Mode.IMMEDIATE]
    if now:
        enqueue(tasks.notifications_send, now)
    return created


@transaction.atomic
def preferences_set(*, user: User, modes: dict[str, str], by: User | None = None) -> list[Preference]:
    """Record how `user` wants each kind of `modes` ({kind: mode}); `by`: who changed it (the person,
    logged in or through an e-mail's signed link). Only the kinds that change are written (and so
    kept in the history)."""
    for kind, mode in modes.items():
        if kind not in NotificationKind.values or mode not in Mode.values:
            raise ValueError(f"Choix de notification inconnu : {kind} – {mode}.")
    current = {p.kind: p for p in Preference.objects.filter(user=user, kind__in=list(modes))}
    changed = []
    for kind, mode in modes.items():
        preference = current.get(kind) or Preference(user=user, kind=kind)
        if preference.pk is not None and preference.mode == mode:
            continue
        if preference.pk is None and mode == Mode.IMMEDIATE:
            continue  # the default: nothing to record
        preference.mode = mode
        preference._history_user = by or user
        preference.save()
        changed.append(preference)
    return changed
