"""Preparing the next plan from the old one: a draft plan with the old plan's frame (period given,
principles, directions, axes, objectives, packs, glossary, pilot posts, buyers) and, for each old
fiche, a decision (planning.models.FicheDecision). A fiche "reconduite" is copied with its pilots,
objectives, actors, means, vigilance points and indicators (each continuing the old one); its
milestones are copied "à redater", except the yearly ones (N-1...), which keep their rule.

Every row is written through `save_claimed` with its author, so the history says who prepared what.
"""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from actions import enums as plan_enums
from actions.models import (
    Actor,
    Direction,
    Fiche,
    Goal,
    Indicator,
    Means,
    Milestone,
    Objective,
    Pack,
    Pilot,
    Plan,
    Principle,
    VigilancePoint,
)
from actions.models.plan import RESERVED_SLUGS
from actions.services import plan_content_delete, plan_content_save
from core import rights
from core.versioning import save_claimed

from . import enums
from .models import FicheDecision

# What a person without the right is told (core.rights.require: a 403 on a page); `user` None is
# the system (a command without a person).
PREPARE_REFUSED = "Préparation du plan suivant réservée au service commande publique."


class PreparationError(Exception):
    """The next plan cannot be prepared as asked; the message is for the user (French)."""


def _copy(obj, user, **changes):
    """A new row with `obj`'s fields, `changes` applied, saved with its author."""
    fields = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.attname not in ("version", "updated_at")
    }
    fields.update(changes)
    copy = type(obj)(**fields)
    save_claimed(copy, seen=None, user=user)
    return copy


@dataclass
class _Frame:
    """The new plan's frame, found by the old rows' natural keys (codes), so a fiche can be carried
    over at any time, not only when the plan is prepared."""

    plan: Plan

    def __post_init__(self):
        p = self.plan
        self.principles = {x.code: x for x in Principle.objects.filter(plan=p)}
        self.directions = {x.code: x for x in Direction.objects.filter(plan=p)}
        self.objectives = {
            (x.axis.code, x.code): x for x in Objective.objects.filter(axis__plan=p).select_related("axis")
        }
        self.packs = {x.code: x for x in Pack.objects.filter(plan=p)}
        self.pilots = {
            (x.role, x.service, x.direction.code): x
            for x in Pilot.objects.filter(plan=p).select_related("direction")
        }


def _copy_frame(old: Plan, new: Plan, user) -> None:
    for row in old.principles.all():
        _copy(row, user, plan_id=new.pk)
    directions = {row.pk: _copy(row, user, plan_id=new.pk) for row in old.directions.all()}
    for axis in old.axes.all():
        new_axis = _copy(axis, user, plan_id=new.pk)
        for objective in axis.objectives.all():
            _copy(objective, user, axis_id=new_axis.pk)
    for row in old.packs.all():
        _copy(row, user, plan_id=new.pk)
    for row in old.glossary.all():
        _copy(row, user, plan_id=new.pk)
    for row in old.buyers.all():
        _copy(row, user, plan_id=new.pk)
    for pilot in old.pilots.all():
        new_pilot = _copy(pilot, user, plan_id=new.pk, direction_id=directions[pilot.direction_id].pk)
        new_pilot.users.set(pilot.users.all())


def fiche_carry_over(*, fiche: Fiche, plan: Plan, user: User | None, number: int | None = None) -> Fiche:
    """Copy an old fiche into the new plan (see the module's docstring); returns the new fiche."""
    rights.require(user is None or rights.may_prepare_plan(user), PREPARE_REFUSED)
    frame = _Frame(plan)
    objective = frame.objectives.get((fiche.objective.axis.code, fiche.objective.code))
    if objective is None:
        raise PreparationError(
            f"L'objectif « {fiche.objective} » n'existe pas dans le plan « {plan} » : créez-le d'abord."
        )
    number = number if number is not None else fiche.number
    if Fiche.objects.filter(plan=plan, number=number).exists():
        raise PreparationError(f"Le plan « {plan} » a déjà une fiche numéro {number}.")
    new = _copy(
        fiche,
        user,
        plan_id=plan.pk,
        number=number,
        objective_id=objective.pk,
        pack_id=frame.packs[fiche.pack.code].pk if fiche.pack_id and fiche.pack.code in frame.packs else None,
        added_on=None,
        is_withheld=False,
        withheld_reason="",
    )
    new.principles.set(
        [frame.principles[p.code] for p in fiche.principles.all() if p.code in frame.principles]
    )
    _carry_pilots(fiche, new, frame, user)
    for model in (Goal, Actor, Means, VigilancePoint):
        for row in model.objects.filter(fiche=fiche):
            _copy(row, user, fiche_id=new.pk)
    _carry_milestones(fiche, new, user)
    for row in Indicator.objects.filter(fiche=fiche):
        # The series continues; the target is the old plan's and stays there.
        _copy(row, user, fiche_id=new.pk, continues_id=row.pk, target_value=None, target_year=None)
    return new


def _carry_pilots(fiche: Fiche, new: Fiche, frame: _Frame, user: User | None) -> None:
    """The old fiche's pilot posts on the new one: the new plan's same post (role, service, direction),
    copied there with its direction and its people when the new plan has none yet."""
    plan = frame.plan
    for link in fiche.fiche_pilots.select_related("pilot__direction"):
        key = (link.pilot.role, link.pilot.service, link.pilot.direction.code)
        pilot = frame.pilots.get(key)
        if pilot is None:
            direction = frame.directions.get(link.pilot.direction.code) or _copy(
                link.pilot.direction, user, plan_id=plan.pk
            )
            frame.directions[direction.code] = direction
            pilot = _copy(link.pilot, user, plan_id=plan.pk, direction_id=direction.pk)
            pilot.users.set(link.pilot.users.all())
            frame.pilots[key] = pilot
        _copy(link, user, fiche_id=new.pk, pilot_id=pilot.pk)


def _carry_milestones(fiche: Fiche, new: Fiche, user: User | None) -> None:
    """The old fiche's milestones, planned again: a milestone dated relative to the plan keeps its
    date, one dated in the old plan's years is to be redated."""
    for row in Milestone.objects.filter(fiche=fiche):
        if row.due_relative_year is not None:
            _copy(row, user, fiche_id=new.pk, status=plan_enums.MilestoneStatus.PLANNED, completed_on=None)
        else:
            _copy(
                row,
                user,
                fiche_id=new.pk,
                status=plan_enums.MilestoneStatus.PLANNED,
                completed_on=None,
                due_label="",
                due_precision="",
                due_year=None,
                due_part=None,
                due_day=None,
                to_redate=True,
            )


@transaction.atomic
def plan_prepare_next(
    *,
    old: Plan,
    slug: str,
    title: str,
    start_year: int,
    end_year: int,
    user: User | None,
    short_title: str = "",
) -> Plan:
    """The draft of the plan that follows `old`, every fiche "reconduite" for SCP to refine.

    Applies fully or not at all (one transaction); raises PreparationError with a French message.
    """
    rights.require(user is None or rights.may_prepare_plan(user), PREPARE_REFUSED)
    draft = successor_in_preparation(old)
    if draft is not None:
        raise PreparationError(f"La suite du plan « {old} » est déjà en préparation : « {draft} ».")
    if Plan.objects.filter(slug=slug).exists():
        raise PreparationError(f"Un plan a déjà l'identifiant « {slug} ».")
    if slug in RESERVED_SLUGS:
        raise PreparationError(f"L'identifiant « {slug} » est réservé à une page du site public.")
    if end_year < start_year:
        raise PreparationError("La dernière année du plan précède sa première année.")
    if start_year <= old.start_year:
        raise PreparationError(
            f"Le nouveau plan doit commencer après le début du plan « {old} » ({old.start_year})."
        )
    if old.is_in_preparation:
        raise PreparationError(f"Le plan « {old} » est lui-même en préparation.")
    new = Plan(
        slug=slug,
        title=title,
        short_title=short_title or old.short_title,
        buyer=old.buyer,
        start_year=start_year,
        end_year=end_year,
        state=plan_enums.PlanState.PREPARATION,
        predecessor=old,
    )
    try:
        new.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise PreparationError(" ".join(_field_messages(new, error))) from None
    save_claimed(new, seen=None, user=user)
    _copy_frame(old, new, user)
    fiches = Fiche.objects.filter(plan=old).select_related("objective__axis", "pack").order_by("number")
    for fiche in fiches:
        carried = fiche_carry_over(fiche=fiche, plan=new, user=user)
        save_claimed(
            FicheDecision(plan=new, previous=fiche, decision=enums.FicheDecision.RENEWED, fiche=carried),
            seen=None,
            user=user,
        )
    return new


def _field_messages(plan: Plan, error: ValidationError) -> list[str]:
    """ "Titre court : ..." for each field the plan refuses (a command shows them on one line)."""
    return [
        f"{plan._meta.get_field(name).verbose_name.capitalize()} : {' '.join(messages)}"
        for name, messages in error.message_dict.items()
    ]


def successor_in_preparation(old: Plan) -> Plan | None:
    """The draft that follows `old`, if SCP is preparing one: there is one draft at a time."""
    return old.successors.filter(state=plan_enums.PlanState.PREPARATION).order_by("pk").first()


# --- deciding each fiche of the old plan ---------------------------------------------------------


def _require_preparation(plan: Plan) -> None:
    if not plan.is_in_preparation:
        raise PreparationError(
            f"Le plan « {plan} » n'est plus en préparation : ses décisions ne se modifient plus. "
            "Rien n'a été enregistré."
        )


def _next_free_number(plan: Plan) -> int:
    numbers = set(Fiche.objects.filter(plan=plan).values_list("number", flat=True))
    return max(numbers, default=0) + 1


def _own_copy(decision: FicheDecision, stored_value: str) -> Fiche | None:
    """The fiche of the new plan that carries the old one as a fiche of its own (not a merge target)."""
    if stored_value in enums.CARRIED_DECISIONS and decision.fiche_id is not None:
        return decision.fiche
    return None


def _continue_indicators(*, previous: Fiche, into: Fiche, user: User | None) -> int:
    """Copy the old fiche's indicators into `into`, each continuing its old series (targets stay
    with the old plan); an indicator already continued in `into` is not copied twice."""
    continued = set(Indicator.objects.filter(fiche=into).values_list("continues_id", flat=True))
    codes = set(Indicator.objects.filter(fiche=into).values_list("code", flat=True))
    position = Indicator.objects.filter(fiche=into).count()
    copied = 0
    for row in Indicator.objects.filter(fiche=previous).order_by("position"):
        if row.pk in continued:
            continue
        code = row.code if row.code not in codes else f"{row.code}-{previous.number}"
        if code in codes:
            raise ValidationError(
                {"continue_indicators": f"La fiche {into.number} a déjà un indicateur {code}."}
            )
        position += 1
        codes.add(code)
        _copy(
            row,
            user,
            fiche_id=into.pk,
            code=code,
            continues_id=row.pk,
            target_value=None,
            target_year=None,
            position=position,
        )
        copied += 1
    return copied


def _withdraw_indicators(*, previous: Fiche, target_id: int, user: User | None) -> None:
    """Remove from a former merge target the indicators copied there to continue `previous`'s (a plan
    in preparation has no values yet: nothing else is lost)."""
    for row in Indicator.objects.filter(fiche_id=target_id, continues__fiche=previous):
        plan_content_delete(obj=row, user=user)


def _decision_errors(
    decision: FicheDecision, decision_value: str, *, reason: str, into: Fiche | None, own: Fiche | None
) -> dict[str, str]:
    """What is wrong with a decision as given (fiche_decide), keyed by field, in French."""
    errors = {}
    if decision_value not in enums.FicheDecision.values:
        errors["decision"] = "Choisissez une décision de la liste."
    elif decision_value != enums.FicheDecision.RENEWED and not reason:
        errors["reason"] = "Indiquez le motif de la décision (obligatoire sauf pour une fiche reconduite)."
    if decision_value == enums.FicheDecision.MERGED:
        if into is None:
            errors["into"] = "Choisissez la fiche du nouveau plan dans laquelle elle est fusionnée."
        elif into.plan_id != decision.plan_id:
            errors["into"] = "Choisissez une fiche du nouveau plan."
        elif own is not None and into.pk == own.pk:
            errors["into"] = "Une fiche ne peut pas être fusionnée dans sa propre reconduction."
    if decision_value in enums.FicheDecision.values and decision_value not in enums.CARRIED_DECISIONS:
        if own is not None:
            absorbed = list(
                FicheDecision.objects.filter(fiche=own)
                .exclude(pk=decision.pk)
                .select_related("previous")
                .order_by("previous__number")
            )
            if absorbed:
                numbers = ", ".join(str(d.previous.number) for d in absorbed)
                errors["decision"] = (
                    f"La fiche {own.number} du nouveau plan absorbe déjà la fiche {numbers} : "
                    "changez d'abord cette décision."
                )
    return errors


@transaction.atomic
def fiche_decide(
    *,
    decision: FicheDecision,
    decision_value: str,
    reason: str,
    into: Fiche | None,
    user: User | None,
    seen_version: int | None,
    continue_indicators: bool = False,
) -> FicheDecision:
    """Decide what becomes of one fiche of the old plan in the new one (in preparation).

    - reconduite, reconduite et modifiée: the fiche keeps its copy in the new plan (carried over
      again with `fiche_carry_over` if an earlier decision had dropped it);
    - fusionnée, achevée, abandonnée: its copy is deleted (through `plan_content_delete`, so the
      history records who deleted it); fusionnée points at `into`, a fiche of the new plan, and with
      `continue_indicators` the old fiche's indicators continue in it.

    A reason is required except for "reconduite". Version-checked against `seen_version` (raises
    versioning.StaleWrite), all or nothing; raises ValidationError (keyed by field, in French) or
    PreparationError. Nothing is written when it raises.
    """
    rights.require(user is None or rights.may_prepare_plan(user), PREPARE_REFUSED)
    plan = decision.plan
    _require_preparation(plan)
    reason = (reason or "").strip()
    stored_value, stored_fiche = FicheDecision.objects.filter(pk=decision.pk).values_list(
        "decision", "fiche_id"
    ).first() or ("", None)
    own = _own_copy(decision, stored_value)
    errors = _decision_errors(decision, decision_value, reason=reason, into=into, own=own)
    if errors:
        raise ValidationError(errors)

    # Claim the decision first: a stale form is refused before anything else is written.
    leaves_target = stored_value == enums.FicheDecision.MERGED and stored_fiche is not None
    leaves_target = leaves_target and (
        decision_value != enums.FicheDecision.MERGED or into.pk != stored_fiche
    )
    decision.decision = decision_value
    decision.reason = reason
    if leaves_target:  # no longer merged there: the series it continued in that fiche go too
        _withdraw_indicators(previous=decision.previous, target_id=stored_fiche, user=user)
    if decision_value in enums.CARRIED_DECISIONS:
        if own is None:
            previous = decision.previous
            number = previous.number
            if Fiche.objects.filter(plan=plan, number=number).exists():
                number = _next_free_number(plan)
            own = fiche_carry_over(fiche=previous, plan=plan, user=user, number=number)
        decision.fiche = own
        save_claimed(decision, seen=seen_version, user=user)
        return decision
    decision.fiche = into if decision_value == enums.FicheDecision.MERGED else None
    save_claimed(decision, seen=seen_version, user=user)
    if own is not None:
        plan_content_delete(obj=own, user=user)
    if decision_value == enums.FicheDecision.MERGED and continue_indicators:
        _continue_indicators(previous=decision.previous, into=into, user=user)
    return decision


@transaction.atomic
def fiche_add_new(*, plan: Plan, number: int, title: str, objective: Objective, user: User | None) -> Fiche:
    """A new fiche of the plan in preparation (no decision names it: it comes from no old fiche).

    Raises ValidationError (keyed by field, in French) or PreparationError; nothing written then.
    """
    rights.require(user is None or rights.may_prepare_plan(user), PREPARE_REFUSED)
    _require_preparation(plan)
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "Indiquez l'intitulé de la fiche."
    if number is None or number < 1:
        errors["number"] = "Indiquez un numéro de fiche (entier positif)."
    elif Fiche.objects.filter(plan=plan, number=number).exists():
        errors["number"] = f"Le plan a déjà une fiche numéro {number} : choisissez un autre numéro."
    if objective is None or objective.axis.plan_id != plan.pk:
        errors["objective"] = "Choisissez un objectif du nouveau plan."
    if errors:
        raise ValidationError(errors)
    fiche = Fiche(plan=plan, number=number, title=title, objective=objective)
    plan_content_save(obj=fiche, user=user)
    return fiche
