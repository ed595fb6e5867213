"""The notifications' tasks (Celery): they take ids, and sending claims each notification first, so a
task run twice sends once (notifications/sending.py)."""

import datetime

from celery import shared_task
from django.utils import timezone


@shared_task(name="notifications.send")
def notifications_send(ids: list[int]) -> int:
    """Send the immediate notifications `ids` (queued by services.notify after the event commits)."""
    from .sending import notifications_deliver  # sending imports services, which queue this task

    return notifications_deliver(ids=ids)


@shared_task(name="notifications.send_digests")
def notifications_send_digests(day: str | None = None) -> int:
    """Send the digests of `day` (ISO date; by default yesterday, so that the day is complete), then
    the immediate notifications whose task was lost."""
    from .sending import digest_send, notifications_deliver_stale

    when = datetime.date.fromisoformat(day) if day else timezone.localdate() - datetime.timedelta(days=1)
    sent = digest_send(day=when)
    notifications_deliver_stale()
    return sent
