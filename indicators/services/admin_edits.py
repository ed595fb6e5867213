"""The admin's edits of one value or one review, outside the entry page: the same rule
(indicators.rules), rights, version claim and authorship as the entry page's service."""

from django.contrib.auth.models import User
from django.db import transaction

from actions.models import Fiche
from core import rights
from core.versioning import delete_claimed, save_claimed

from .. import rules
from ..models import AnnualReview, IndicatorValue


def _stored(model, pk, *fields) -> dict:
    return model.objects.filter(pk=pk).values(*fields).first() or {} if pk else {}


@transaction.atomic
def indicator_value_save(*, value: IndicatorValue, user: User, seen_version: int | None) -> IndicatorValue:
    """An edit of one value outside the entry page (the admin): same lock, version and author rules."""
    rights.require(rights.may_edit_plan(user), "Action réservée au service commande publique.")
    fiche = value.indicator.fiche
    rules.require_follow_up(fiche=fiche, years={value.year})
    before = _stored(IndicatorValue, value.pk, "indicator__fiche", "year")
    if before:  # the year (or indicator) it is moved from is locked too
        old_fiche = (
            fiche
            if before["indicator__fiche"] == fiche.pk
            else Fiche.objects.get(pk=before["indicator__fiche"])
        )
        rules.require_follow_up(fiche=old_fiche, years={before["year"]})
    value.updated_by = user
    if value.pk is None:
        value.created_by = user
    save_claimed(value, seen=seen_version, user=user)
    return value


@transaction.atomic
def indicator_value_delete(*, value: IndicatorValue, user: User, seen_version: int | None = None) -> None:
    rights.require(rights.may_edit_plan(user), "Action réservée au service commande publique.")
    rules.require_follow_up(fiche=value.indicator.fiche, years={value.year})
    delete_claimed(value, seen=seen_version, user=user)


@transaction.atomic
def annual_review_save(*, review: AnnualReview, user: User, seen_version: int | None) -> AnnualReview:
    """An edit of a review's narrative outside the entry page (the admin): locked once validated."""
    rights.require(rights.may_edit_plan(user), "Action réservée au service commande publique.")
    before = _stored(AnnualReview, review.pk, "fiche", "year")
    rules.require_follow_up(fiche=review.fiche, years={review.year, before.get("year")})
    review.updated_by = user
    save_claimed(review, seen=seen_version, user=user)
    return review


@transaction.atomic
def annual_review_delete(*, review: AnnualReview, user: User, seen_version: int | None = None) -> None:
    rights.require(rights.may_edit_plan(user), "Action réservée au service commande publique.")
    rules.require_follow_up(fiche=review.fiche, years={review.year})
    delete_claimed(review, seen=seen_version, user=user)
