"""Writes on the plan that enforce rules: every write to the plan's content, loading a plan from its
files, linking users to pilot posts.

Every writer of the plan's content (the admin's forms and inlines, the fiche and indicator imports)
goes through `plan_content_save` / `plan_content_delete`: they check the rules, claim the row's
version (lost updates, see `versioning`) and record the author. Rules that belong to a higher app
(a validated year locks its milestones: indicators) are plugged in with `register_write_guard`, so
this app never imports the follow-up.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.contrib.auth.models import Group, User
from django.db import models, transaction
from django.utils import timezone

from core import rights
from core.versioning import delete_claimed, save_claimed

from . import enums, states
from .models import (
    Actor,
    Axis,
    Direction,
    Fiche,
    FichePilot,
    GlossaryEntry,
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

# --- every write of the plan's content ----------------------------------------------------------


class WriteRefused(Exception):
    """A rule refuses the write; the message is for the user (French). Nothing was written."""


# A guard looks at a row about to be saved (or deleted) and returns why it may not be, or None.
WriteGuard = Callable[[models.Model, bool], str | None]
_write_guards: list[WriteGuard] = []


def register_write_guard(guard: WriteGuard) -> WriteGuard:
    """Plug a rule of a higher app into every write of the plan's content (see apps.ready)."""
    if guard not in _write_guards:
        _write_guards.append(guard)
    return guard


def _closed_plan_guard(obj: models.Model, deleting: bool) -> str | None:
    """A closed plan's content is read-only (actions.states); publishing or withdrawing the plan from
    the public site stays possible (it changes no content). Closing is plan_state_set's."""
    if obj._meta.label == "actions.Plan":
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
        if stored is None or stored.state != enums.PlanState.CLOSED:
            return None
        kept = ("is_public", "version")
        changed = any(
            getattr(obj, f.attname) != getattr(stored, f.attname)
            for f in obj._meta.concrete_fields
            if f.attname not in kept
        )
        return states.closed_message(obj) if (deleting or changed) else None
    plan = states.plan_of(obj)
    return states.content_refusal(plan) if plan is not None else None


def write_refusal(obj: models.Model, *, deleting: bool = False) -> str | None:
    """Why `obj` may not be saved (or deleted) now, in French, or None."""
    for guard in (_closed_plan_guard, *_write_guards):
        refusal = guard(obj, deleting)
        if refusal:
            return refusal
    return None


@transaction.atomic
def plan_content_save(*, obj: models.Model, user: User | None, seen_version: int | None = None) -> None:
    """Save a row of the plan (fiche, milestone, indicator, pilot...) after its rules and version check.

    `seen_version`: the version the user's form showed (None: the instance's own). Raises
    WriteRefused or versioning.StaleWrite; nothing is written then.
    """
    refusal = write_refusal(obj)
    if refusal:
        raise WriteRefused(refusal)
    save_claimed(obj, seen=seen_version, user=user)


@transaction.atomic
def plan_content_delete(*, obj: models.Model, user: User | None, seen_version: int | None = None) -> None:
    """Delete a row of the plan (and what cascades from it) if its rules allow it."""
    refusal = write_refusal(obj, deleting=True)
    if refusal:
        raise WriteRefused(refusal)
    delete_claimed(obj, seen=seen_version, user=user)


@transaction.atomic
def plan_publication_set(
    *, plan: Plan, is_public: bool, user: User | None, seen_version: int | None = None
) -> Plan:
    """Publish the plan on the public site (or take it off): one write of the plan, version-checked,
    its history keeping who did it and when. What the site then shows is public/selectors.py's.
    A plan in preparation is a draft: it is published once adopted (put in force)."""
    if is_public and plan.is_in_preparation:
        raise WriteRefused(
            f"Le plan « {plan} » est en préparation : il sera publié une fois adopté et mis en vigueur. "
            "Rien n'a été enregistré."
        )
    plan.is_public = is_public
    plan_content_save(obj=plan, user=user, seen_version=seen_version)
    return plan


# --- the plan's state: en préparation -> en vigueur -> clos ----------------------------------------


def plan_state_refusal(*, plan: Plan, state: str, today: datetime.date | None = None) -> str | None:
    """Why `plan` may not go to `state` now (French), or None. The transitions:

    - en préparation -> en vigueur: SCP puts the new schema in force;
    - en vigueur -> clos: once the plan's last year has begun (its campaign runs in the plan closed);
    - clos -> en vigueur: a plan closed by mistake, as long as its final bilan is not published.
    """
    today = today or timezone.localdate()
    current, wanted = enums.PlanState(plan.state), enums.PlanState(state)
    if current == wanted:
        return f"Le plan « {plan} » est déjà {wanted.label.lower()}. Rien n'a été enregistré."
    if (current, wanted) == (enums.PlanState.PREPARATION, enums.PlanState.IN_FORCE):
        return None
    if (current, wanted) == (enums.PlanState.IN_FORCE, enums.PlanState.CLOSED):
        if today.year < plan.end_year:
            return (
                f"Le plan « {plan} » ne peut être clos qu'à partir du 1er janvier {plan.end_year}, "
                "début de sa dernière année. Rien n'a été enregistré."
            )
        return None
    if (current, wanted) == (enums.PlanState.CLOSED, enums.PlanState.IN_FORCE):
        if states.is_sealed(plan):
            return (
                f"Le plan « {plan} » ne peut plus être remis en vigueur : son bilan de fin de plan est "
                "publié. Rien n'a été enregistré."
            )
        return None
    return (
        f"Le plan « {plan} » ne peut pas passer de l'état « {current.label} » à l'état "
        f"« {wanted.label} ». Rien n'a été enregistré."
    )


# A hook of a higher app runs inside plan_state_set's transaction, before the state changes (the plan
# still in its old state): e.g. the follow-up closes the campaigns a closed plan no longer runs.
StateHook = Callable[[Plan, str, "User | None"], None]
_state_hooks: list[StateHook] = []


def register_state_hook(hook: StateHook) -> StateHook:
    """Plug a higher app's consequence of a plan's change of state into plan_state_set (apps.ready)."""
    if hook not in _state_hooks:
        _state_hooks.append(hook)
    return hook


@transaction.atomic
def plan_state_set(
    *,
    plan: Plan,
    state: str,
    user: User | None,
    seen_version: int | None = None,
    today: datetime.date | None = None,
) -> Plan:
    """Move the plan to `state` (actions.states says what each state allows); the only writer of
    Plan.state. SCP only; version-checked (StaleWrite), its history keeping who and when. Raises
    WriteRefused (French) for a transition the rules refuse; nothing is written then."""
    if user is not None:
        rights.require(rights.may_prepare_plan(user), "Action réservée au service commande publique.")
    refusal = plan_state_refusal(plan=plan, state=state, today=today)
    if refusal:
        raise WriteRefused(refusal)
    for hook in _state_hooks:
        hook(plan, state, user)
    plan.state = state
    # Not plan_content_save: its guard keeps a closed plan's row as it is, the state included.
    save_claimed(plan, seen=seen_version, user=user)
    return plan


# --- loading a plan from its files ------------------------------------------------------------------


class PlanLoadError(Exception):
    """A plan file is invalid; nothing was written."""


@dataclass
class PlanLoadReport:
    plan: Plan
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


KIND_LETTERS = {"realisation": "R", "evaluation": "E", "impact": "I"}


def _year_month(value, where: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    match = re.fullmatch(r"(\d{4})-(\d{2})", str(value))
    if not match:
        raise PlanLoadError(f"{where} : date « {value} » invalide (attendu AAAA-MM).")
    return datetime.date(int(match[1]), int(match[2]), 1)


def _decimal(value, where: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise PlanLoadError(f"{where} : nombre « {value} » invalide.") from exc


def _choice(value, choices, where: str) -> str:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise PlanLoadError(f"{where} : valeur « {value} » inconnue (attendu : {allowed}).")
    return value


_DUE_PARTS = (
    ("half", enums.DuePrecision.HALF),
    ("quarter", enums.DuePrecision.QUARTER),
    ("month", enums.DuePrecision.MONTH),
)


def _due_fields(due: dict | None, where: str) -> dict:
    if not due:
        return {}
    fields = {"due_label": due.get("label", "") or ""}
    if "date" in due:
        day = due["date"]
        if not isinstance(day, datetime.date):
            raise PlanLoadError(f"{where} : date « {day} » invalide.")
        return fields | {"due_precision": enums.DuePrecision.DAY, "due_day": day, "due_year": day.year}
    fields["due_precision"] = enums.DuePrecision.YEAR
    for key, precision in _DUE_PARTS:
        if key in due:
            fields |= {"due_precision": precision, "due_part": int(due[key])}
            break
    if "relative_year" in due:
        fields["due_relative_year"] = int(due["relative_year"])
    elif "year" in due:
        fields["due_year"] = int(due["year"])
    else:
        raise PlanLoadError(f"{where} : échéance sans année ni année relative.")
    return fields


def _read_yaml(path: Path):
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise PlanLoadError(f"{path.name} : fichier illisible ({exc}).") from exc


class _PlanLoader:
    """Writes one plan's rows from its parsed files; each method loads one part of the format."""

    def __init__(self, user: User | None):
        self.user = user
        self.principles: dict[str, Principle] = {}
        self.directions: dict[str, Direction] = {}
        self.objectives: dict[str, Objective] = {}
        self.packs_by_fiche: dict[int, Pack] = {}
        self.pilots: dict[tuple, Pilot] = {}
        self.counts = dict.fromkeys(("axes", "objectifs", "fiches", "pilotes", "jalons", "indicateurs"), 0)

    def save(self, obj):
        save_claimed(obj, seen=None, user=self.user)
        return obj

    def plan(self, data: dict) -> Plan:
        plan = self.save(
            Plan(
                slug=data["slug"],
                title=data["title"],
                short_title=data.get("short_title", data["title"]),
                buyer=data["buyer"],
                start_year=int(data["start_year"]),
                end_year=int(data["end_year"]),
                adopted_on=_year_month(data.get("adopted"), "plan.yaml adopted"),
                updated_on=_year_month(data.get("updated"), "plan.yaml updated"),
            )
        )
        for position, item in enumerate(data.get("principles", []), start=1):
            self.principles[item["code"]] = self.save(
                Principle(
                    plan=plan,
                    code=item["code"],
                    label=item["label"],
                    description=item.get("description") or "",
                    position=position,
                )
            )
        for item in data.get("directions", []):
            self.directions[item["code"]] = self.save(
                Direction(plan=plan, code=item["code"], name=item["name"])
            )
        self.axes(plan, data.get("axes", []))
        for item in data.get("packs", []):
            description = item.get("description") or ""
            pack = self.save(Pack(plan=plan, code=item["code"], name=item["name"], description=description))
            self.packs_by_fiche |= {int(number): pack for number in item.get("fiches", [])}
        for item in data.get("glossary", []):
            self.save(GlossaryEntry(plan=plan, acronym=item["acronym"], definition=item["definition"]))
        return plan

    def axes(self, plan: Plan, axes: list[dict]) -> None:
        for axis_position, axis_data in enumerate(axes, start=1):
            axis = self.save(
                Axis(plan=plan, code=axis_data["code"], name=axis_data["name"], position=axis_position)
            )
            self.counts["axes"] += 1
            for position, item in enumerate(axis_data.get("objectives", []), start=1):
                self.objectives[item["code"]] = self.save(
                    Objective(axis=axis, code=item["code"], title=item["title"], position=position)
                )
                self.counts["objectifs"] += 1

    def fiche(self, plan: Plan, data: dict, where: str) -> Fiche:
        number = int(data["number"])
        if data["objective"] not in self.objectives:
            raise PlanLoadError(f"{where} : objectif « {data['objective']} » inconnu.")
        fiche = self.save(
            Fiche(
                plan=plan,
                number=number,
                title=data["title"],
                objective=self.objectives[data["objective"]],
                is_flagship=bool(data.get("flagship")),
                pack=self.packs_by_fiche.get(number),
                added_on=_year_month(data.get("added"), f"{where} added"),
                context=(data.get("context") or "").strip(),
                complexity=_choice(data.get("complexity"), enums.Complexity, f"{where} complexity"),
                duration=_choice(data.get("duration"), enums.Duration, f"{where} duration"),
            )
        )
        self.counts["fiches"] += 1
        unknown = [code for code in data.get("principles", []) if code not in self.principles]
        if unknown:
            raise PlanLoadError(f"{where} : principe « {unknown[0]} » inconnu.")
        fiche.principles.set([self.principles[code] for code in data.get("principles", [])])
        self.fiche_pilots(plan, fiche, data.get("pilots") or [], where)
        self.fiche_sections(fiche, data, where)
        self.indicators(fiche, data.get("indicators") or [], where)
        return fiche

    def fiche_pilots(self, plan: Plan, fiche: Fiche, items: list[dict], where: str) -> None:
        if not items:
            raise PlanLoadError(f"{where} : la fiche {fiche.number} n'a pas de pilote.")
        for position, item in enumerate(items, start=1):
            if item["direction"] not in self.directions:
                raise PlanLoadError(f"{where} : direction « {item['direction']} » inconnue.")
            key = (item["role"], item.get("service") or "", item["direction"])
            if key not in self.pilots:
                direction = self.directions[item["direction"]]
                self.pilots[key] = self.save(
                    Pilot(plan=plan, role=key[0], service=key[1], direction=direction)
                )
                self.counts["pilotes"] += 1
            self.save(FichePilot(fiche=fiche, pilot=self.pilots[key], position=position))

    def fiche_sections(self, fiche: Fiche, data: dict, where: str) -> None:
        """Goals, milestones, actors, means and vigilance points, in the document's order."""
        for position, item in enumerate(data.get("goals", []), start=1):
            self.save(
                Goal(
                    fiche=fiche,
                    kind=_choice(item["kind"], enums.GoalKind, f"{where} goals"),
                    text=item["text"].strip(),
                    target_value=_decimal(item.get("target_value"), f"{where} goals"),
                    target_unit=item.get("target_unit") or "",
                    level=int(item.get("level") or 0),
                    position=position,
                )
            )
        for position, item in enumerate(data.get("milestones", []), start=1):
            self.save(
                Milestone(
                    fiche=fiche,
                    kind=_choice(item["kind"], enums.MilestoneKind, f"{where} milestones"),
                    heading=item.get("heading") or "",
                    text=item["text"].strip(),
                    position=position,
                    **_due_fields(item.get("due"), f"{where} milestone {position}"),
                )
            )
            self.counts["jalons"] += 1
        for position, item in enumerate(data.get("actors", []), start=1):
            kind = _choice(item["kind"], enums.ActorKind, f"{where} actors")
            self.save(Actor(fiche=fiche, kind=kind, text=item["text"].strip(), position=position))
        for position, item in enumerate(data.get("means", []), start=1):
            kind = _choice(item["kind"], enums.MeansKind, f"{where} means")
            level = int(item.get("level") or 0)
            self.save(
                Means(fiche=fiche, kind=kind, text=item["text"].strip(), level=level, position=position)
            )
        for position, text in enumerate(data.get("vigilance", []) or [], start=1):
            self.save(VigilancePoint(fiche=fiche, text=str(text).strip(), position=position))

    def indicators(self, fiche: Fiche, items: list[dict], where: str) -> None:
        if not items:
            raise PlanLoadError(f"{where} : la fiche {fiche.number} n'a pas d'indicateur.")
        per_kind: dict[str, int] = {}
        for position, item in enumerate(items, start=1):
            kind = _choice(item["kind"], enums.IndicatorKind, f"{where} indicators")
            per_kind[kind] = per_kind.get(kind, 0) + 1
            self.save(
                Indicator(
                    fiche=fiche,
                    code=item.get("code") or f"{fiche.number}-{KIND_LETTERS[kind]}{per_kind[kind]}",
                    kind=kind,
                    label=item["label"].strip(),
                    group=item.get("group") or "",
                    value_type=_choice(item["value_type"], enums.ValueType, f"{where} indicators"),
                    unit=item.get("unit") or "",
                    target_value=_decimal(item.get("target_value"), f"{where} indicators"),
                    target_year=item.get("target_year"),
                    baseline_value=_decimal(item.get("baseline_value"), f"{where} indicators"),
                    baseline_year=item.get("baseline_year"),
                    position=position,
                )
            )
            self.counts["indicateurs"] += 1


@transaction.atomic
def plan_load(*, directory: Path, user: User | None = None) -> PlanLoadReport:
    """Create a plan and all its fiches from `plan.yaml` and `fiches/*.yaml` (format: FORMAT.md).

    All or nothing: any invalid entry raises PlanLoadError and the transaction writes nothing.
    A plan already in the database is left untouched (its content belongs to SCP from then on),
    so running it twice changes nothing.
    """
    directory = Path(directory)
    data = _read_yaml(directory / "plan.yaml")
    if not isinstance(data, dict) or "slug" not in data:
        raise PlanLoadError("plan.yaml : le plan doit avoir un identifiant (slug).")
    existing = Plan.objects.filter(slug=data["slug"]).first()
    if existing is not None:
        return PlanLoadReport(plan=existing, created=False)
    fiche_files = sorted((directory / "fiches").glob("*.yaml"))
    if not fiche_files:
        raise PlanLoadError("Aucune fiche trouvée (dossier fiches/ vide).")

    loader = _PlanLoader(user)
    plan = loader.plan(data)
    seen_numbers = set()
    for path in fiche_files:
        fiche_data = _read_yaml(path)
        number = int(fiche_data["number"])
        if number in seen_numbers:
            raise PlanLoadError(f"{path.name} : la fiche {number} existe déjà dans ce plan.")
        seen_numbers.add(number)
        loader.fiche(plan, fiche_data, path.name)
    return PlanLoadReport(plan=plan, created=True, counts=loader.counts)


# --- accounts --------------------------------------------------------------------------------------


@transaction.atomic
def user_attach_to_pilot(
    *,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None,
    pilot: Pilot | None,
    role_group: str = rights.PILOTS_GROUP,
) -> tuple[User, bool]:
    """Create (or find) a user, put them in a role group and, for a pilot, attach them to a pilot post.

    Idempotent: an existing user keeps their password and gains the group and the post.
    """
    if role_group not in rights.ROLE_GROUPS:
        raise ValueError(f"Rôle inconnu : {role_group}")
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": email, "first_name": first_name, "last_name": last_name}
    )
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.is_staff = role_group == rights.SCP_GROUP
        user.save()
    user.groups.add(Group.objects.get(name=role_group))
    if pilot is not None:
        pilot.users.add(user)
    return user, created
