"""Sending the notifications' e-mails (run by the tasks, off the web request).

Each notification, and each day's digest, is claimed before it is sent (a conditional UPDATE from
"pending"): two workers, or a task retried by the queue, never send the same one twice. Every e-mail
handed to the mail server is recorded (Delivery), delivered or failed with the server's error; a
failure is never raised to the person whose action caused the notification.
"""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from core.people import person_name

from .enums import DeliveryState, Mode, NotificationKind, NotificationState
from .models import Delivery, Digest, Notification, Preference
from .services import audience_refusal, recipient_refusal, site_link
from .tokens import preference_token

logger = logging.getLogger(__name__)


def _refusal_now(notification: Notification, modes: dict[tuple[int, str], str]) -> str | None:
    """Asked again when sending: the account may have been deactivated, the preference changed, since."""
    mode = modes.get((notification.recipient_id, notification.kind), Mode.IMMEDIATE)
    return recipient_refusal(notification.recipient, mode) or audience_refusal(
        kind=notification.kind, plan_id=notification.plan_id
    )


def _current_modes(notifications: list[Notification]) -> dict[tuple[int, str], str]:
    preferences = Preference.objects.filter(user_id__in={n.recipient_id for n in notifications})
    return {(p.user_id, p.kind): p.mode for p in preferences}


def _send(*, user: User, subject: str, template: str, context: dict, kinds: list[str], **about) -> Delivery:
    """One e-mail to `user`, in French, text and HTML, with the one-click link to change how they get
    these `kinds` (also as the List-Unsubscribe header, RFC 8058)."""
    one_click = site_link(reverse("notification_preference_change", args=[preference_token(user.pk, kinds)]))
    context = context | {
        "name": person_name(user),
        "subject": subject,
        "preference_url": one_click,
        "preferences_url": site_link(reverse("notification_preferences")),
        "kind_labels": [NotificationKind(kind).label for kind in kinds],
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"notifications/email/{template}.txt", context).strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{one_click}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string(f"notifications/email/{template}.html", context), "text/html")
    record = {"recipient": user, "email": user.email, "subject": subject[:250], **about}
    try:
        message.send()
    except Exception as error:  # SMTP refusal, connection, TLS...: recorded, never raised to the actor
        logger.warning("E-mail to %s failed: %s", user.email, error)
        return Delivery.objects.create(
            **record, state=DeliveryState.FAILED, error=f"{type(error).__name__}: {error}"
        )
    return Delivery.objects.create(**record, state=DeliveryState.DELIVERED)


def _close(notifications: list[Notification], delivery: Delivery) -> None:
    state = NotificationState.SENT if delivery.state == DeliveryState.DELIVERED else NotificationState.FAILED
    reason = "" if state == NotificationState.SENT else delivery.error[:300]
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
        state=state, reason=reason, sent_at=timezone.now()
    )


def _skip(notification: Notification, reason: str) -> None:
    Notification.objects.filter(pk=notification.pk).update(state=NotificationState.SKIPPED, reason=reason)


def notifications_deliver(*, ids: Iterable[int]) -> int:
    """Send the immediate notifications `ids` still pending, one e-mail each; the number sent."""
    notifications = list(
        Notification.objects.pending()
        .filter(pk__in=list(ids), mode=Mode.IMMEDIATE)
        .select_related("recipient")
    )
    modes = _current_modes(notifications)
    sent = 0
    for notification in notifications:
        claimed = Notification.objects.filter(pk=notification.pk, state=NotificationState.PENDING).update(
            state=NotificationState.SENDING
        )
        if not claimed:
            continue  # another worker (or an earlier try of this task) has it
        reason = _refusal_now(notification, modes)
        if reason:
            _skip(notification, reason)
            continue
        context = {"body_text": notification.body_text, "body_html": mark_safe(notification.body_html)}
        delivery = _send(
            user=notification.recipient,
            subject=notification.subject,
            template="message",
            context=context | {"link": notification.link},
            kinds=[notification.kind],
            notification=notification,
        )
        _close([notification], delivery)
        sent += delivery.state == DeliveryState.DELIVERED
    return sent


def notifications_deliver_stale(*, minutes: int = 10) -> int:
    """Send the immediate notifications still pending after `minutes` (their task was lost: the broker
    was down when the event committed)."""
    before = timezone.now() - datetime.timedelta(minutes=minutes)
    ids = Notification.objects.pending().filter(mode=Mode.IMMEDIATE, created_at__lt=before)
    return notifications_deliver(ids=ids.values_list("pk", flat=True))


def _digest_claim(user_id: int, day: datetime.date) -> Digest | None:
    with transaction.atomic():
        digest = Digest.objects.create(recipient_id=user_id, day=day)
        claimed = (
            Notification.objects.for_digest(day)
            .filter(recipient_id=user_id)
            .update(state=NotificationState.SENDING, digest=digest)
        )
        if not claimed:
            digest.delete()
            return None
    return digest


def digest_send(*, day: datetime.date) -> int:
    """One e-mail per person grouping their digest notifications of `day`; the number of e-mails sent.
    Run twice, it sends once: the second run finds nothing pending."""
    sent = 0
    people = Notification.objects.for_digest(day).values_list("recipient_id", flat=True).distinct()
    for user_id in sorted(set(people)):
        digest = _digest_claim(user_id, day)
        if digest is None:
            continue  # claimed by another run
        items = list(digest.notifications.select_related("recipient").order_by("created_at", "pk"))
        modes = _current_modes(items)
        kept = []
        for item in items:
            reason = _refusal_now(item, modes)
            if reason:
                _skip(item, reason)
            else:
                kept.append(item)
        if not kept:
            continue
        plural = "s" if len(kept) > 1 else ""
        delivery = _send(
            user=kept[0].recipient,
            subject=f"[SPASER] Résumé du {day:%d/%m/%Y} : {len(kept)} notification{plural}",
            template="digest",
            context={"day": day, "items": kept},
            kinds=sorted({item.kind for item in kept}),
            digest=digest,
        )
        _close(kept, delivery)
        sent += delivery.state == DeliveryState.DELIVERED
    return sent
