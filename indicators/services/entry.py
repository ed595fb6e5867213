"""Writes of a fiche's year: the pilot's entry page, and the admin's edits of values and reviews.

Lost updates: the entry page remembers the version of every row it showed. Only what the user
changed (against what their page showed) is written, so two pilots filling in different indicators
of one fiche never conflict; a field the user changed that someone else saved meanwhile is a
conflict, shown beside the stored value for the user to choose, and nothing is written. Each write
claims its row at the version the user saw (core.versioning), so a race lost between the check
and the write is a conflict too.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max

from actions.enums import MilestoneStatus, ProgressStatus
from actions.models import Fiche, Indicator, Milestone, Plan
from core import values
from core.versioning import StaleWrite, delete_claimed, save_claimed

from ..models import AnnualReview, IndicatorValue
from ..rules import WorkflowError
from .workflow import entry_refusals, milestone_refusal, require_editable

REVIEW_FIELDS = ("progress_status", "achievements", "difficulties", "outlook")
REVIEW_DEFAULTS = {
    "progress_status": ProgressStatus.NOT_STARTED,
    "achievements": "",
    "difficulties": "",
    "outlook": "",
}


@dataclass(frozen=True)
class ValueInput:
    raw: object  # Decimal | bool | str | None (None: empty, an existing value is deleted)
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


@dataclass(frozen=True)
class FicheYearValues:
    """What a batch (the values workbook) changes in one fiche-year, and the versions it read."""

    fiche: Fiche
    year: int
    values: dict[int, ValueInput]
    seen_versions: dict[str, int]


class FicheYearsRefused(WorkflowError):
    """Fiche-years of a batch that may not be written now: the French reason of each, by (fiche id, year)."""

    def __init__(self, refusals: dict[tuple[int, int], str]):
        self.refusals = refusals
        super().__init__(next(iter(refusals.values())))


class FicheYearConflict(Exception):
    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__(", ".join(c.key for c in conflicts))


@dataclass
class _YearInput:
    """What one save of the entry page carries, and the rows it was checked against."""

    fiche: Fiche
    year: int
    user: User
    seen_versions: dict[str, int]
    keep_stored: frozenset[str]


# --- reading what changed ------------------------------------------------------------------------


def _value_state(value: IndicatorValue | None) -> tuple:
    return (None, "") if value is None else (value.raw, value.comment)


def _same(a: tuple, b: tuple) -> bool:
    return values.same_value(a[0], b[0]) and a[1] == b[1]


def _show_value(indicator: Indicator, state: tuple) -> str:
    text = values.format_value(indicator, state[0])
    return f"{text} – commentaire : {state[1]}" if state[1] else text


def _seen_value_states(current: dict[int, IndicatorValue], seen_versions: dict[str, int], year: int) -> dict:
    """What the user's page showed for values saved since: read back from the history (one query)."""
    wanted = {
        indicator_id: seen_versions.get(f"value_{indicator_id}", 0)
        for indicator_id, value in current.items()
        if seen_versions.get(f"value_{indicator_id}", 0) not in (0, value.version)
    }
    if not wanted:
        return {}
    rows = (
        IndicatorValue.history.filter(indicator_id__in=wanted, year=year, version__in=set(wanted.values()))
        .exclude(history_type="-")
        .order_by("history_date")
    )
    return {
        row.indicator_id: (row.instance.raw, row.comment)
        for row in rows
        if wanted.get(row.indicator_id) == row.version
    }


def _value_conflict(
    key: str, indicator: Indicator, mine: tuple, stored_row: IndicatorValue | None
) -> Conflict:
    return Conflict(
        key=key,
        label=f"{indicator.code} – {indicator.label}",
        mine=_show_value(indicator, mine),
        stored=_show_value(indicator, _value_state(stored_row)),
        stored_by=stored_row.updated_by if stored_row else None,
        stored_at=stored_row.updated_at if stored_row else None,
    )


def _current_values(indicator_ids, years) -> dict[tuple[int, int], IndicatorValue]:
    """The stored values of these indicators in these years, by (indicator id, year) (one query)."""
    rows = IndicatorValue.objects.select_related("updated_by").filter(
        indicator_id__in=indicator_ids, year__in=years
    )
    return {(v.indicator_id, v.year): v for v in rows}


def _value_changes(
    job: _YearInput, entries: dict[int, ValueInput], indicators: dict[int, Indicator], current: dict
) -> tuple[list, list[Conflict]]:
    """The values to write, as (indicator, year, stored row, seen version, (raw, comment)), and the
    conflicts. `indicators` and `current` (by (indicator id, year)) are read beforehand."""
    of_year = {pk: current[pk, job.year] for pk in entries if (pk, job.year) in current}
    from_history = _seen_value_states(of_year, job.seen_versions, job.year)
    writes, conflicts = [], []
    for indicator_id, entry in entries.items():
        indicator = indicators.get(indicator_id)
        if indicator is None or indicator.fiche_id != job.fiche.pk:
            raise WorkflowError("Un indicateur du formulaire n'appartient pas à cette fiche.")
        key = f"value_{indicator_id}"
        if key in job.keep_stored:
            continue
        mine, stored_row = (entry.raw, entry.comment), of_year.get(indicator_id)
        stored = _value_state(stored_row)
        seen_version = job.seen_versions.get(key, 0)
        stored_version = stored_row.version if stored_row else 0
        if seen_version == stored_version:
            seen = stored
        else:
            seen = (None, "") if seen_version == 0 else from_history.get(indicator_id)
        if (seen is not None and _same(mine, seen)) or _same(mine, stored):
            continue  # untouched by the user, or already what they want
        if seen_version != stored_version:
            conflicts.append(_value_conflict(key, indicator, mine, stored_row))
        else:
            writes.append((indicator, job.year, stored_row, seen_version, mine))
    return writes, conflicts


def _seen_review(review: AnnualReview | None, seen: int) -> dict | None:
    if seen == 0:
        return dict(REVIEW_DEFAULTS)
    if review is not None and review.version == seen:
        return {name: getattr(review, name) for name in REVIEW_FIELDS}
    record = review.history.filter(version=seen).order_by("-history_date").first() if review else None
    return {name: getattr(record, name) for name in REVIEW_FIELDS} if record else None


def _review_label(name: str, value: str) -> str:
    if name == "progress_status":
        return ProgressStatus(value).label if value in ProgressStatus.values else value
    return value or "(vide)"


def _review_changes(job: _YearInput, review: AnnualReview | None, entry: dict) -> tuple[dict, list[Conflict]]:
    seen_version = job.seen_versions.get("review", 0)
    stored_version = review.version if review else 0
    stored = {n: getattr(review, n) for n in REVIEW_FIELDS} if review else dict(REVIEW_DEFAULTS)
    seen = _seen_review(review, seen_version) if seen_version != stored_version else stored
    changes, conflicts = {}, []
    for name in REVIEW_FIELDS:
        if f"review_{name}" in job.keep_stored or name not in entry:
            continue
        mine = entry[name]
        if (seen is not None and mine == seen[name]) or mine == stored[name]:
            continue
        if seen_version != stored_version:
            conflicts.append(
                Conflict(
                    key=f"review_{name}",
                    label=str(AnnualReview._meta.get_field(name).verbose_name).capitalize(),
                    mine=_review_label(name, mine),
                    stored=_review_label(name, stored[name]),
                    stored_by=review.updated_by if review else None,
                    stored_at=review.updated_at if review else None,
                )
            )
        else:
            changes[name] = mine
    return changes, conflicts


def _show_milestone(state: tuple) -> str:
    done, completed_on = state
    if done and completed_on:
        return f"réalisé le {completed_on:%d/%m/%Y}"
    return "réalisé" if done else "non réalisé"


def _milestone_changes(job: _YearInput, entries: dict[int, MilestoneInput]) -> tuple[list, list[Conflict]]:
    rows = {
        m.pk: m for m in Milestone.objects.select_related("fiche").filter(fiche=job.fiche, pk__in=entries)
    }
    writes, conflicts = [], []
    for pk, entry in entries.items():
        row = rows.get(pk)
        if row is None:
            raise WorkflowError("Un jalon du formulaire n'appartient pas à cette fiche.")
        if f"milestone_{pk}" in job.keep_stored:
            continue
        stored = (row.is_done, row.completed_on if row.is_done else None)
        mine = (entry.done, entry.completed_on if entry.done else None)
        seen = (entry.seen_done, entry.seen_completed_on if entry.seen_done else None)
        if mine == seen or mine == stored:
            continue
        if seen != stored:
            conflicts.append(
                Conflict(
                    f"milestone_{pk}",
                    f"Jalon : {row.text[:80]}",
                    _show_milestone(mine),
                    _show_milestone(stored),
                    None,
                    None,
                )
            )
        else:
            writes.append((row, mine))
    return writes, conflicts


# --- writing --------------------------------------------------------------------------------------


def _late_conflict(key: str, indicator: Indicator, year: int) -> FicheYearConflict:
    row = IndicatorValue.objects.select_related("updated_by").filter(indicator=indicator, year=year).first()
    conflict = _value_conflict(key, indicator, (None, ""), row)
    conflict.mine = "(votre saisie)"
    return FicheYearConflict([conflict])


def _next_value_versions(created: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """A re-created value continues the numbering, so a page that saw the deleted one is still stale
    (one query for every value created, whatever the number of fiche-years)."""
    if not created:
        return {}
    last = {
        (indicator_id, year): version
        for indicator_id, year, version in IndicatorValue.history.filter(
            indicator_id__in={pk for pk, _ in created}, year__in={year for _, year in created}
        )
        .order_by()
        .values("indicator_id", "year")
        .annotate(last=Max("version"))
        .values_list("indicator_id", "year", "last")
    }
    return {key: (last.get(key) or 0) + 1 for key in created}


def _write_values(writes: list, user: User) -> None:
    created = [
        (indicator.pk, year)
        for indicator, year, row, _, (raw, _) in writes
        if row is None and raw is not None
    ]
    versions = _next_value_versions(created)
    indicator = year = None
    try:
        # One savepoint for them all: a race lost on any value undoes these writes, and the conflict
        # is read back from a usable transaction.
        with transaction.atomic():
            for indicator, year, row, seen_version, (raw, comment) in writes:
                if row is None and raw is not None:
                    row = IndicatorValue(
                        indicator=indicator, year=year, created_by=user, version=versions[indicator.pk, year]
                    )
                    _fill_value(row, raw, comment, user)
                    save_claimed(row, seen=None, user=user)
                elif row is not None and raw is None:
                    delete_claimed(row, seen=seen_version, user=user)
                elif row is not None:
                    _fill_value(row, raw, comment, user)
                    save_claimed(row, seen=seen_version, user=user)
    except (IntegrityError, StaleWrite):
        raise _late_conflict(f"value_{indicator.pk}", indicator, year) from None


def _fill_value(row: IndicatorValue, raw, comment: str, user: User) -> None:
    row.set_raw(raw)
    row.comment, row.updated_by, row.is_demo = comment, user, False


def _write_review(job: _YearInput, review: AnnualReview | None, changes: dict) -> AnnualReview:
    if review is None:
        review = AnnualReview(
            fiche=job.fiche, year=job.year, updated_by=job.user, **(REVIEW_DEFAULTS | changes)
        )
        try:
            with transaction.atomic():
                save_claimed(review, seen=None, user=job.user)
        except IntegrityError:
            raise WorkflowError(
                "Le bilan de cette année vient d'être créé par quelqu'un d'autre : rechargez la page."
            ) from None
        return review
    if changes:
        for name, value in changes.items():
            setattr(review, name, value)
        review.updated_by, review.is_demo = job.user, False
        try:
            save_claimed(review, seen=job.seen_versions.get("review", 0), user=job.user)
        except StaleWrite:
            raise WorkflowError(
                "Le bilan vient d'être modifié par quelqu'un d'autre : enregistrez à nouveau."
            ) from None
    return review


def _write_milestones(job: _YearInput, writes: list) -> None:
    for row, (done, completed_on) in writes:
        seen = row.version
        row.status = MilestoneStatus.DONE if done else MilestoneStatus.PLANNED
        row.completed_on = completed_on
        refusal = milestone_refusal(row)
        if refusal:
            raise WorkflowError(refusal)
        try:
            save_claimed(row, seen=seen, user=job.user)
        except StaleWrite:
            raise WorkflowError(
                "Un jalon vient d'être modifié par quelqu'un d'autre : enregistrez à nouveau."
            ) from None


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
) -> AnnualReview | None:
    """Save what the user changed in a fiche's year: indicator values, annual review, milestones.

    `values` maps indicator ids to what the form holds (None raw = empty: an existing value is
    deleted); `review` holds REVIEW_FIELDS (None: the review is left as it is, not created);
    `seen_versions` the versions the page was built from
    ("value_<indicator id>", "review"; 0 when there was no row). Keys in `keep_stored` are conflicts the
    user resolved by taking the stored value: they are left as stored. Raises FicheYearConflict
    (nothing written) when a changed field was saved by someone else meanwhile, WorkflowError when
    the year is not editable, PermissionDenied for a user who may not edit this fiche.
    """
    annual = AnnualReview.objects.select_related("updated_by").filter(fiche=fiche, year=year).first()
    require_editable(user=user, fiche=fiche, year=year, review=annual)
    job = _YearInput(fiche, year, user, seen_versions, keep_stored)
    indicators = Indicator.objects.filter(fiche=fiche, pk__in=values).in_bulk()
    value_writes, conflicts = _value_changes(job, values, indicators, _current_values(indicators, {year}))
    review_changes, review_conflicts = (
        _review_changes(job, annual, review) if review is not None else ({}, [])
    )
    milestone_writes, milestone_conflicts = _milestone_changes(job, milestones or {})
    conflicts += review_conflicts + milestone_conflicts
    if conflicts:
        raise FicheYearConflict(conflicts)
    _write_values(value_writes, user)
    if review is not None:  # values alone (the workbook) leave the year's review as it is
        annual = _write_review(job, annual, review_changes)
    _write_milestones(job, milestone_writes)
    return annual


def fiche_years_save_values(*, plan: Plan, batch: list[FicheYearValues], user: User) -> None:
    """Save the values of many fiche-years of `plan` at once (the values workbook): the entry page's
    rule, rights, conflicts, versions and history, in a fixed number of queries besides one write per
    value. All or nothing (the writes share one savepoint): raises FicheYearsRefused (every refused
    fiche-year with its reason) or FicheYearConflict, and writes nothing."""
    refusals = entry_refusals(plan=plan, fiche_years=[(i.fiche, i.year) for i in batch], user=user)
    if refusals:
        raise FicheYearsRefused(refusals)
    ids = {pk for item in batch for pk in item.values}
    indicators = Indicator.objects.filter(fiche__plan=plan, pk__in=ids).in_bulk()
    current = _current_values(indicators, {item.year for item in batch})
    writes, conflicts = [], []
    for item in batch:
        job = _YearInput(item.fiche, item.year, user, item.seen_versions, frozenset())
        item_writes, item_conflicts = _value_changes(job, item.values, indicators, current)
        writes += item_writes
        conflicts += item_conflicts
    if conflicts:
        raise FicheYearConflict(conflicts)
    _write_values(writes, user)
