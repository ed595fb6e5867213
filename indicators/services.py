"""Writes of the yearly follow-up: a fiche's values and review for a year, its workflow, the campaigns.

Every service is atomic and enforces its rules itself (campaign open, state of the year, who may
act), so the pilot's page, SCP's campaign pages and the admin share one set of rules.

Lost updates: IndicatorValue and AnnualReview carry a `version`. A write first claims the row with
`UPDATE ... SET version = version + 1 WHERE version = <seen>`; zero rows updated means someone saved
in between, and the whole submission is refused with the conflicting fields (nothing is written).
The claimed row is then saved normally so that django-simple-history records it with its author.
Only what the user changed (against what their page showed) is written, so two pilots filling in
different indicators of one fiche never conflict.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from actions import roles
from actions.enums import MilestoneStatus, ProgressStatus
from actions.models import Fiche, Milestone, Plan

from .enums import CampaignStatus, ReviewStatus
from .formatting import format_value
from .models import AnnualReview, Campaign, Indicator, IndicatorValue

PILOT_EDITABLE = (ReviewStatus.DRAFT, ReviewStatus.RETURNED)
REVIEW_FIELDS = ("progress_status", "achievements", "difficulties", "outlook")
REVIEW_DEFAULTS = {
    "progress_status": ProgressStatus.NOT_STARTED,
    "achievements": "",
    "difficulties": "",
    "outlook": "",
}


class WorkflowError(Exception):
    """The action is not allowed in the current state; the message is for the user (French)."""


@dataclass(frozen=True)
class ValueInput:
    raw: Decimal | bool | str | None
    comment: str = ""


@dataclass(frozen=True)
class MilestoneInput:
    done: bool
    completed_on: datetime.date | None
    seen_done: bool
    seen_completed_on: datetime.date | None


@dataclass
class Conflict:
    """A field someone else saved since the user's page was displayed."""

    key: str
    label: str
    mine: str
    stored: str
    stored_by: User | None
    stored_at: datetime.datetime | None


@dataclass
class FicheYearConflict(Exception):
    conflicts: list[Conflict]
    versions: dict[str, int] = field(default_factory=dict)


# --- who may do what -------------------------------------------------------------------------------


def user_pilots_fiche(*, user, fiche: Fiche) -> bool:
    return Fiche.objects.piloted_by(user).filter(pk=fiche.pk).exists()


def fiche_year_can_read(*, user, fiche: Fiche) -> bool:
    """SCP and the comité read every fiche's entry page; a pilot only the fiches they pilot."""
    return roles.is_scp(user) or roles.is_committee(user) or user_pilots_fiche(user=user, fiche=fiche)


def fiche_year_edit_refusal(
    *, user, fiche: Fiche, year: int, campaign: Campaign | None, review: AnnualReview | None
) -> str | None:
    """Why `user` may not edit this fiche's year now (a French sentence), or None if they may.

    Raises PermissionDenied for a user who is neither SCP nor a pilot of the fiche.
    """
    status = review.status if review else ReviewStatus.DRAFT
    if roles.is_scp(user):
        if status == ReviewStatus.VALIDATED:
            return f"Le bilan {year} de cette fiche est validé : rouvrez-le pour le modifier."
        return None
    if not roles.is_pilot(user) or not user_pilots_fiche(user=user, fiche=fiche):
        raise PermissionDenied("Vous ne pilotez pas cette fiche.")
    if campaign is None or not campaign.is_open:
        return f"La campagne {year} n'est pas ouverte : la saisie n'est pas possible."
    if status == ReviewStatus.SUBMITTED:
        return f"Le bilan {year} a été soumis : il attend l'examen du service commande publique."
    if status == ReviewStatus.VALIDATED:
        return (
            f"Le bilan {year} est validé : il ne peut plus être modifié "
            "sauf réouverture par le service commande publique."
        )
    return None


def _require_editable(*, user, fiche: Fiche, year: int, review: AnnualReview | None) -> Campaign | None:
    campaign = Campaign.objects.filter(plan_id=fiche.plan_id, year=year).first()
    refusal = fiche_year_edit_refusal(user=user, fiche=fiche, year=year, campaign=campaign, review=review)
    if refusal:
        raise WorkflowError(refusal)
    return campaign


def _require_scp(user) -> None:
    if not roles.is_scp(user):
        raise PermissionDenied("Action réservée au service commande publique.")


# --- helpers ---------------------------------------------------------------------------------------


def _claim(model, pk: int, seen: int) -> bool:
    """Take the row from version `seen` to `seen + 1`; False when someone else saved it meanwhile."""
    return model.objects.filter(pk=pk, version=seen).update(version=F("version") + 1) == 1


def _value_state(value: IndicatorValue | None) -> tuple:
    if value is None:
        return (None, "")
    return (value.raw, value.comment)


def _same(a: tuple, b: tuple) -> bool:
    # Compare types too: True == Decimal(1) in Python, but "oui" is not the number 1.
    return type(a[0]) is type(b[0]) and a[0] == b[0] and a[1] == b[1]


def _show_milestone(state: tuple) -> str:
    done, completed_on = state
    if done and completed_on:
        return f"réalisé le {completed_on:%d/%m/%Y}"
    return "réalisé" if done else "non réalisé"


def _show_value(indicator: Indicator, state: tuple) -> str:
    text = format_value(indicator, state[0])
    return f"{text} – commentaire : {state[1]}" if state[1] else text


def _seen_value_states(values: dict[int, IndicatorValue], seen_versions: dict[str, int], year: int) -> dict:
    """What the user's page showed for values saved since: read back from the history."""
    wanted = {
        indicator_id: seen_versions.get(f"value_{indicator_id}", 0)
        for indicator_id, value in values.items()
        if seen_versions.get(f"value_{indicator_id}", 0) not in (0, value.version)
    }
    if not wanted:
        return {}
    states = {}
    rows = (
        IndicatorValue.history.filter(indicator_id__in=wanted, year=year, version__in=set(wanted.values()))
        .exclude(history_type="-")
        .order_by("history_date")
    )
    for row in rows:
        if wanted.get(row.indicator_id) == row.version:
            states[row.indicator_id] = (row.instance.raw, row.comment)
    return states


def _seen_review(review: AnnualReview | None, seen: int) -> dict | None:
    if seen == 0:
        return dict(REVIEW_DEFAULTS)
    if review is not None and review.version == seen:
        return {name: getattr(review, name) for name in REVIEW_FIELDS}
    record = review.history.filter(version=seen).order_by("-history_date").first() if review else None
    return {name: getattr(record, name) for name in REVIEW_FIELDS} if record else None


def _next_value_version(indicator_id: int, year: int) -> int:
    """A re-created value continues the numbering, so a page that saw the deleted one is still stale."""
    last = (
        IndicatorValue.history.filter(indicator_id=indicator_id, year=year)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return (last or 0) + 1


# --- the pilot's entry ------------------------------------------------------------------------------


@transaction.atomic
def fiche_year_save(
    *,
    fiche: Fiche,
    year: int,
    values: dict[int, ValueInput],
    review: dict[str, str] | None,
    user: User,
    seen_versions: dict[str, int],
    milestones: dict[int, MilestoneInput] | None = None,
    keep_stored: frozenset[str] = frozenset(),
) -> AnnualReview:
    """Save what the user changed in a fiche's year: indicator values, annual review, milestones.

    `values` maps indicator ids to what the form holds (None raw = empty: an existing value is
    deleted); `review` holds REVIEW_FIELDS; `seen_versions` the versions the page was built from
    ("value_<indicator id>", "review"; 0 when there was no row). Keys in `keep_stored` are conflicts the
    user resolved by taking the stored value: they are left as stored. Raises FicheYearConflict
    (nothing written) when a changed field was saved by someone else meanwhile, WorkflowError when
    the year is not editable, PermissionDenied for a user who may not edit this fiche.
    """
    annual = AnnualReview.objects.select_related("updated_by").filter(fiche=fiche, year=year).first()
    _require_editable(user=user, fiche=fiche, year=year, review=annual)

    indicators = {i.pk: i for i in Indicator.objects.filter(fiche=fiche, pk__in=values)}
    current = {
        v.indicator_id: v
        for v in IndicatorValue.objects.select_related("updated_by").filter(
            indicator__in=indicators, year=year
        )
    }
    seen_from_history = _seen_value_states(current, seen_versions, year)

    conflicts: list[Conflict] = []
    value_writes: list[tuple[Indicator, IndicatorValue | None, int, tuple]] = []
    for indicator_id, entry in values.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            raise WorkflowError("Un indicateur du formulaire n'appartient pas à cette fiche.")
        key = f"value_{indicator_id}"
        if key in keep_stored:
            continue
        mine = (entry.raw, entry.comment)
        stored_row = current.get(indicator_id)
        stored = _value_state(stored_row)
        seen_version = seen_versions.get(key, 0)
        stored_version = stored_row.version if stored_row else 0
        if seen_version == stored_version:
            seen = stored
        elif seen_version == 0:
            seen = (None, "")
        else:
            seen = seen_from_history.get(indicator_id)
        if seen is not None and _same(mine, seen):
            continue  # the user did not touch it
        if _same(mine, stored):
            continue  # already what the user wants
        if seen_version != stored_version:
            conflicts.append(
                Conflict(
                    key=key,
                    label=f"{indicator.code} – {indicator.label}",
                    mine=_show_value(indicator, mine),
                    stored=_show_value(indicator, stored),
                    stored_by=stored_row.updated_by if stored_row else None,
                    stored_at=stored_row.updated_at if stored_row else None,
                )
            )
            continue
        value_writes.append((indicator, stored_row, seen_version, mine))

    review_changes: dict[str, str] = {}
    if review is not None:
        seen_version = seen_versions.get("review", 0)
        stored_version = annual.version if annual else 0
        stored_fields = {n: getattr(annual, n) for n in REVIEW_FIELDS} if annual else dict(REVIEW_DEFAULTS)
        seen_fields = _seen_review(annual, seen_version) if seen_version != stored_version else stored_fields
        for name in REVIEW_FIELDS:
            key = f"review_{name}"
            if key in keep_stored or name not in review:
                continue
            mine, stored = review[name], stored_fields[name]
            if (seen_fields is not None and mine == seen_fields[name]) or mine == stored:
                continue
            if seen_version != stored_version:
                label = AnnualReview._meta.get_field(name).verbose_name
                display = dict(ProgressStatus.choices) if name == "progress_status" else {}
                conflicts.append(
                    Conflict(
                        key=key,
                        label=label.capitalize(),
                        mine=display.get(mine, mine) or "(vide)",
                        stored=display.get(stored, stored) or "(vide)",
                        stored_by=annual.updated_by if annual else None,
                        stored_at=annual.updated_at if annual else None,
                    )
                )
                continue
            review_changes[name] = mine

    milestone_writes = []
    if milestones:
        rows = {m.pk: m for m in Milestone.objects.filter(fiche=fiche, pk__in=milestones)}
        for pk, entry in milestones.items():
            row = rows.get(pk)
            if row is None:
                raise WorkflowError("Un jalon du formulaire n'appartient pas à cette fiche.")
            key = f"milestone_{pk}"
            if key in keep_stored:
                continue
            stored_done = row.status == MilestoneStatus.DONE
            stored = (stored_done, row.completed_on if stored_done else None)
            mine = (entry.done, entry.completed_on if entry.done else None)
            seen = (entry.seen_done, entry.seen_completed_on if entry.seen_done else None)
            if mine == seen or mine == stored:
                continue
            if seen != stored:
                conflicts.append(
                    Conflict(
                        key=key,
                        label=f"Jalon : {row.text[:80]}",
                        mine=_show_milestone(mine),
                        stored=_show_milestone(stored),
                        stored_by=None,
                        stored_at=None,
                    )
                )
                continue
            milestone_writes.append((row, mine))

    if conflicts:
        raise FicheYearConflict(conflicts=conflicts, versions=_versions(current, annual))

    # Writes: claim each row at the version the user saw; a lost race is reported as a conflict too.
    for indicator, row, seen_version, (raw, comment) in value_writes:
        key = f"value_{indicator.pk}"
        if row is None:
            if raw is None:
                continue
            row = IndicatorValue(
                indicator=indicator,
                year=year,
                created_by=user,
                version=_next_value_version(indicator.pk, year),
            )
            row.set_raw(raw)
            row.comment, row.updated_by, row._history_user = comment, user, user
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                raise _late_conflict(key, indicator, year) from None
            continue
        if not _claim(IndicatorValue, row.pk, seen_version):
            raise _late_conflict(key, indicator, year)
        row._history_user = user
        if raw is None:
            row.version = seen_version + 1
            row.delete()
            continue
        row.set_raw(raw)
        row.comment, row.updated_by, row.is_demo, row.version = comment, user, False, seen_version + 1
        row.save()

    if annual is None:
        annual = AnnualReview(fiche=fiche, year=year, updated_by=user, **(REVIEW_DEFAULTS | review_changes))
        annual._history_user = user
        try:
            with transaction.atomic():
                annual.save()
        except IntegrityError:
            raise WorkflowError(
                "Le bilan de cette année vient d'être créé par quelqu'un d'autre : rechargez la page."
            ) from None
    elif review_changes:
        if not _claim(AnnualReview, annual.pk, seen_versions.get("review", 0)):
            raise WorkflowError(
                "Le bilan vient d'être modifié par quelqu'un d'autre : enregistrez à nouveau."
            )
        for name, value in review_changes.items():
            setattr(annual, name, value)
        annual.version = seen_versions.get("review", 0) + 1
        annual.updated_by, annual.is_demo, annual._history_user = user, False, user
        annual.save()

    for row, (done, completed_on) in milestone_writes:
        claimed = Milestone.objects.filter(
            pk=row.pk, status=row.status, completed_on=row.completed_on
        ).update(status=MilestoneStatus.DONE if done else MilestoneStatus.PLANNED, completed_on=completed_on)
        if not claimed:
            raise WorkflowError(
                "Un jalon vient d'être modifié par quelqu'un d'autre : enregistrez à nouveau."
            )
        row.status = MilestoneStatus.DONE if done else MilestoneStatus.PLANNED
        row.completed_on = completed_on
        row._history_user = user
        row.save()
    return annual


def _versions(current: dict[int, IndicatorValue], annual: AnnualReview | None) -> dict[str, int]:
    versions = {f"value_{indicator_id}": value.version for indicator_id, value in current.items()}
    versions["review"] = annual.version if annual else 0
    return versions


def _late_conflict(key: str, indicator: Indicator, year: int) -> FicheYearConflict:
    row = IndicatorValue.objects.select_related("updated_by").filter(indicator=indicator, year=year).first()
    stored = _value_state(row)
    return FicheYearConflict(
        conflicts=[
            Conflict(
                key=key,
                label=f"{indicator.code} – {indicator.label}",
                mine="(votre saisie)",
                stored=_show_value(indicator, stored),
                stored_by=row.updated_by if row else None,
                stored_at=row.updated_at if row else None,
            )
        ],
        versions={key: row.version if row else 0},
    )


# --- the yearly workflow ----------------------------------------------------------------------------


def _review_transition(review: AnnualReview, *, user: User, **changes) -> AnnualReview:
    if not _claim(AnnualReview, review.pk, review.version):
        raise WorkflowError("Ce bilan vient d'être modifié par quelqu'un d'autre : rechargez la page.")
    for name, value in changes.items():
        setattr(review, name, value)
    review.version += 1
    review._history_user = user
    review.save()
    return review


@transaction.atomic
def fiche_year_submit(*, fiche: Fiche, year: int, user: User) -> AnnualReview:
    """The pilot (or SCP) hands the year over to SCP; it is then read-only for pilots."""
    review = AnnualReview.objects.filter(fiche=fiche, year=year).first()
    _require_editable(user=user, fiche=fiche, year=year, review=review)
    if review is None:
        review = AnnualReview(fiche=fiche, year=year, updated_by=user)
        review._history_user = user
        review.save()
    return _review_transition(
        review, user=user, status=ReviewStatus.SUBMITTED, submitted_at=timezone.now(), submitted_by=user
    )


def _scp_review(*, fiche: Fiche, year: int, user: User, allowed: tuple, action: str) -> AnnualReview:
    _require_scp(user)
    review = AnnualReview.objects.filter(fiche=fiche, year=year).first()
    if review is None or review.status not in allowed:
        state = review.get_status_display().lower() if review else "non saisi"
        raise WorkflowError(
            f"Impossible de {action} : le bilan {year} de la fiche {fiche.number} est {state}."
        )
    return review


@transaction.atomic
def fiche_year_validate(*, fiche: Fiche, year: int, user: User) -> AnnualReview:
    """SCP accepts a submitted year: it is locked until reopened."""
    review = _scp_review(
        fiche=fiche, year=year, user=user, allowed=(ReviewStatus.SUBMITTED,), action="valider"
    )
    return _review_transition(
        review, user=user, status=ReviewStatus.VALIDATED, validated_at=timezone.now(), validated_by=user
    )


@transaction.atomic
def fiche_year_return(*, fiche: Fiche, year: int, user: User, comment: str) -> AnnualReview:
    """SCP sends a submitted year back to its pilots with what to change."""
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError("Indiquez au pilote ce qu'il doit revoir (commentaire obligatoire).")
    review = _scp_review(
        fiche=fiche, year=year, user=user, allowed=(ReviewStatus.SUBMITTED,), action="renvoyer"
    )
    return _review_transition(review, user=user, status=ReviewStatus.RETURNED, return_comment=comment)


@transaction.atomic
def fiche_year_reopen(*, fiche: Fiche, year: int, user: User, comment: str = "") -> AnnualReview:
    """SCP unlocks a validated (or submitted) year so that it can be corrected."""
    review = _scp_review(
        fiche=fiche,
        year=year,
        user=user,
        allowed=(ReviewStatus.VALIDATED, ReviewStatus.SUBMITTED),
        action="rouvrir",
    )
    return _review_transition(
        review,
        user=user,
        status=ReviewStatus.RETURNED,
        return_comment=(comment or "").strip(),
        validated_at=None,
        validated_by=None,
    )


@transaction.atomic
def campaign_open(*, plan: Plan, year: int, deadline: datetime.date, user: User) -> Campaign:
    """Open (or reopen, or move the deadline of) the campaign of `year`."""
    _require_scp(user)
    if year not in plan.years:
        raise WorkflowError(f"L'année {year} est hors du plan ({plan.start_year}-{plan.end_year}).")
    if deadline.year < year:
        raise WorkflowError("La date limite doit suivre l'année suivie.")
    campaign = Campaign.objects.filter(plan=plan, year=year).first() or Campaign(plan=plan, year=year)
    campaign.deadline, campaign.status, campaign.closed_at = deadline, CampaignStatus.OPEN, None
    campaign._history_user = user
    campaign.save()
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, user: User) -> Campaign:
    """Close a campaign: pilots can no longer save or submit for that year."""
    _require_scp(user)
    campaign.status, campaign.closed_at = CampaignStatus.CLOSED, timezone.now()
    campaign._history_user = user
    campaign.save()
    return campaign


# --- reminders ----------------------------------------------------------------------------------------


@dataclass
class Reminder:
    email: str
    year: int
    fiche_numbers: list[int]


def campaign_remind(
    *, days: list[int], today: datetime.date | None = None, send: bool = True
) -> list[Reminder]:
    """E-mail each pilot whose fiches are not yet submitted, when an open campaign's deadline is
    exactly one of `days` away. One message per pilot and campaign, listing their fiches."""
    from django.conf import settings
    from django.core.mail import send_mass_mail
    from django.urls import reverse

    from actions.models import FichePilot

    today = today or timezone.localdate()
    reminders: list[Reminder] = []
    messages = []
    for campaign in Campaign.objects.open().select_related("plan").order_by("year"):
        remaining = (campaign.deadline - today).days
        if remaining not in days:
            continue
        done = set(
            AnnualReview.objects.filter(
                fiche__plan=campaign.plan,
                year=campaign.year,
                status__in=(ReviewStatus.SUBMITTED, ReviewStatus.VALIDATED),
            ).values_list("fiche_id", flat=True)
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
        for user, numbers in sorted(per_user.values(), key=lambda item: item[0].username):
            numbers = sorted(numbers)
            reminders.append(Reminder(user.email, campaign.year, numbers))
            site = getattr(settings, "SPASER_SITE_URL", "")
            body = (
                f"Bonjour {user.get_full_name() or user.username},\n\n"
                f"La saisie du bilan {campaign.year} du {campaign.plan.short_title} se termine le "
                f"{campaign.deadline:%d/%m/%Y} (dans {remaining} jour{'s' if remaining > 1 else ''}).\n"
                f"Fiche{'s' if len(numbers) > 1 else ''} à compléter et soumettre : "
                f"{', '.join(str(n) for n in numbers)}.\n\n"
                f"Votre espace : {site}{reverse('indicators:my_fiches')}\n\n"
                "Service commande publique"
            )
            messages.append(
                (
                    f"[SPASER] Bilan {campaign.year} à soumettre avant le {campaign.deadline:%d/%m/%Y}",
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [user.email],
                )
            )
    if send and messages:
        send_mass_mail(messages, fail_silently=False)
    return reminders
