"""Writes of the reporting app: publishing a bilan (frozen for good) and making it public."""

import hashlib

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format

from actions.models import Plan
from core import rights
from core.people import person_name
from indicators import rules

from .models import PublishedBilan
from .pdf import bilan_pdf
from .selectors import bilan_build, bilan_public_refusal

PUBLISH_REFUSED = "Publication des bilans réservée au service commande publique."


class PublicationRefused(Exception):
    """The version may not be made public; the message is for the user (French). Nothing was written."""


class BilanPublishRefused(PublicationRefused, PermissionDenied):
    """The plan's state refuses publishing this bilan (actions.states). A PermissionDenied too, so a
    page that does not catch it answers 403 with the French reason, never 500."""


def final_bilan_published(plan: Plan) -> bool:
    """The seal check (registered in ReportingConfig.ready): a closed plan whose final bilan is
    published takes no write at all any more."""
    return PublishedBilan.objects.of_plan(plan).for_year(None).exists()


def bilan_publish_refusal(*, plan: Plan, year: int | None) -> str | None:
    """Why the bilan of `year` (None: end of plan) may not be published in the plan's state, or None.

    A bilan is the follow-up of its year; the final one belongs to the last year. So a closed plan
    publishes its last year's bilan and, once, its final bilan, which seals it (actions.states).
    """
    return rules.follow_up_refusal(plan=plan, years={plan.end_year if year is None else year})


@transaction.atomic
def bilan_publish(*, plan: Plan, year: int | None, user: User | None) -> PublishedBilan:
    """Freeze the bilan of `year` (None: end of plan) as it reads now: its data and its PDF bytes.

    The plan's state must allow it (`bilan_publish_refusal`), else BilanPublishRefused.

    The next version number of that bilan is taken under a lock on the plan's row (PostgreSQL), and
    the unique constraint refuses a duplicate anywhere else. Later edits of values, reviews or the
    plan never change a published version: it is re-rendered from its own data only.
    """
    rights.require(user is None or rights.may_publish(user), PUBLISH_REFUSED)
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    refusal = bilan_publish_refusal(plan=plan, year=year)  # under the lock: one final bilan only
    if refusal:
        raise BilanPublishRefused(refusal)
    last = PublishedBilan.objects.of_plan(plan).for_year(year).aggregate(last=Max("version"))["last"] or 0
    now = timezone.now()
    data = bilan_build(plan=plan, year=year, now=now)
    data["publication"] = {
        "version": last + 1,
        "published_at": timezone.localtime(now).isoformat(),
        "published_label": date_format(timezone.localtime(now), "j F Y à H:i"),
        "published_by": person_name(user),
    }
    pdf = bilan_pdf(data)
    bilan = PublishedBilan(
        plan=plan,
        year=year,
        version=last + 1,
        data=data,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        published_at=now,
        published_by=user,
    )
    bilan._history_user = user
    bilan.save()
    return bilan


@transaction.atomic
def published_bilan_set_public(
    *, bilan: PublishedBilan, is_public: bool, user: User | None
) -> PublishedBilan:
    """Show (or withdraw) a published version on the public site; the history keeps who and when.

    Only a version whose every figure is validated is shown (`bilan_public_refusal`):
    PublicationRefused says why not. Withdrawing is always allowed. Whatever the plan's state: it
    changes no figure (a closed plan's final bilan is made public after it sealed the plan).
    """
    rights.require(user is None or rights.may_publish(user), PUBLISH_REFUSED)
    if is_public:
        refusal = bilan_public_refusal(data=bilan.data)
        if refusal:
            raise PublicationRefused(f"{bilan} ne peut pas être rendu public : {refusal}")
    bilan.is_public = is_public
    bilan._history_user = user
    bilan.save(update_fields=["is_public"])
    return bilan
