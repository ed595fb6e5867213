"""Writes on the plan that enforce rules: loading a plan from its files, linking users to pilots."""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.contrib.auth.models import Group, User
from django.db import transaction

from . import enums, roles
from .models import (
    Actor,
    Axis,
    Direction,
    Fiche,
    FichePilot,
    GlossaryEntry,
    Goal,
    Means,
    Milestone,
    Objective,
    Pack,
    Pilot,
    Plan,
    Principle,
    VigilancePoint,
)


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


def _due_fields(due: dict | None, where: str) -> dict:
    if not due:
        return {}
    fields = {"due_label": due.get("label", "") or ""}
    if "date" in due:
        day = due["date"]
        if not isinstance(day, datetime.date):
            raise PlanLoadError(f"{where} : date « {day} » invalide.")
        return fields | {"due_precision": enums.DuePrecision.DAY, "due_day": day, "due_year": day.year}
    for key, precision in (
        ("half", enums.DuePrecision.HALF),
        ("quarter", enums.DuePrecision.QUARTER),
        ("month", enums.DuePrecision.MONTH),
    ):
        if key in due:
            fields |= {"due_precision": precision, "due_part": int(due[key])}
            break
    else:
        fields["due_precision"] = enums.DuePrecision.YEAR
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


def _with_author(instance, user):
    if user is not None:
        instance._history_user = user
    return instance


@transaction.atomic
def plan_load(*, directory: Path, user: User | None = None) -> PlanLoadReport:
    """Create a plan and all its fiches from `plan.yaml` and `fiches/*.yaml`.

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

    save = lambda obj: _with_author(obj, user).save()  # noqa: E731

    plan = Plan(
        slug=data["slug"],
        title=data["title"],
        short_title=data.get("short_title", data["title"]),
        buyer=data["buyer"],
        start_year=int(data["start_year"]),
        end_year=int(data["end_year"]),
        adopted_on=_year_month(data.get("adopted"), "plan.yaml adopted"),
        updated_on=_year_month(data.get("updated"), "plan.yaml updated"),
    )
    save(plan)
    counts = {"axes": 0, "objectifs": 0, "fiches": 0, "pilotes": 0, "jalons": 0, "indicateurs": 0}

    principles = {}
    for position, item in enumerate(data.get("principles", []), start=1):
        principles[item["code"]] = Principle(
            plan=plan,
            code=item["code"],
            label=item["label"],
            description=item.get("description") or "",
            position=position,
        )
        save(principles[item["code"]])
    directions = {}
    for item in data.get("directions", []):
        directions[item["code"]] = Direction(plan=plan, code=item["code"], name=item["name"])
        save(directions[item["code"]])
    objectives = {}
    for axis_position, axis_data in enumerate(data.get("axes", []), start=1):
        axis = Axis(plan=plan, code=axis_data["code"], name=axis_data["name"], position=axis_position)
        save(axis)
        counts["axes"] += 1
        for position, item in enumerate(axis_data.get("objectives", []), start=1):
            objectives[item["code"]] = Objective(
                axis=axis, code=item["code"], title=item["title"], position=position
            )
            save(objectives[item["code"]])
            counts["objectifs"] += 1
    packs_by_fiche = {}
    for item in data.get("packs", []):
        pack = Pack(
            plan=plan, code=item["code"], name=item["name"], description=item.get("description") or ""
        )
        save(pack)
        for number in item.get("fiches", []):
            packs_by_fiche[int(number)] = pack
    for item in data.get("glossary", []):
        save(GlossaryEntry(plan=plan, acronym=item["acronym"], definition=item["definition"]))

    pilots: dict[tuple, Pilot] = {}
    fiche_files = sorted((directory / "fiches").glob("*.yaml"))
    if not fiche_files:
        raise PlanLoadError("Aucune fiche trouvée (dossier fiches/ vide).")
    seen_numbers = set()
    for path in fiche_files:
        fiche_data = _read_yaml(path)
        where = path.name
        number = int(fiche_data["number"])
        if number in seen_numbers:
            raise PlanLoadError(f"{where} : la fiche {number} existe déjà dans ce plan.")
        seen_numbers.add(number)
        if fiche_data["objective"] not in objectives:
            raise PlanLoadError(f"{where} : objectif « {fiche_data['objective']} » inconnu.")
        fiche = Fiche(
            plan=plan,
            number=number,
            title=fiche_data["title"],
            objective=objectives[fiche_data["objective"]],
            is_flagship=bool(fiche_data.get("flagship")),
            pack=packs_by_fiche.get(number),
            added_on=_year_month(fiche_data.get("added"), f"{where} added"),
            context=(fiche_data.get("context") or "").strip(),
            complexity=_choice(fiche_data.get("complexity"), enums.Complexity, f"{where} complexity"),
            duration=_choice(fiche_data.get("duration"), enums.Duration, f"{where} duration"),
        )
        save(fiche)
        counts["fiches"] += 1
        for code in fiche_data.get("principles", []):
            if code not in principles:
                raise PlanLoadError(f"{where} : principe « {code} » inconnu.")
        fiche.principles.set([principles[code] for code in fiche_data.get("principles", [])])

        for position, item in enumerate(fiche_data.get("pilots", []), start=1):
            if item["direction"] not in directions:
                raise PlanLoadError(f"{where} : direction « {item['direction']} » inconnue.")
            key = (item["role"], item.get("service") or "", item["direction"])
            if key not in pilots:
                pilots[key] = Pilot(
                    plan=plan, role=key[0], service=key[1], direction=directions[item["direction"]]
                )
                save(pilots[key])
                counts["pilotes"] += 1
            save(FichePilot(fiche=fiche, pilot=pilots[key], position=position))
        if not fiche_data.get("pilots"):
            raise PlanLoadError(f"{where} : la fiche {number} n'a pas de pilote.")

        for position, item in enumerate(fiche_data.get("goals", []), start=1):
            save(
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
        for position, item in enumerate(fiche_data.get("milestones", []), start=1):
            save(
                Milestone(
                    fiche=fiche,
                    kind=_choice(item["kind"], enums.MilestoneKind, f"{where} milestones"),
                    heading=item.get("heading") or "",
                    text=item["text"].strip(),
                    position=position,
                    **_due_fields(item.get("due"), f"{where} milestone {position}"),
                )
            )
            counts["jalons"] += 1
        for position, item in enumerate(fiche_data.get("actors", []), start=1):
            kind = _choice(item["kind"], enums.ActorKind, f"{where} actors")
            save(Actor(fiche=fiche, kind=kind, text=item["text"].strip(), position=position))
        for position, item in enumerate(fiche_data.get("means", []), start=1):
            kind = _choice(item["kind"], enums.MeansKind, f"{where} means")
            save(
                Means(
                    fiche=fiche,
                    kind=kind,
                    text=item["text"].strip(),
                    level=int(item.get("level") or 0),
                    position=position,
                )
            )
        for position, text in enumerate(fiche_data.get("vigilance", []) or [], start=1):
            save(VigilancePoint(fiche=fiche, text=str(text).strip(), position=position))

        from indicators.enums import IndicatorKind, ValueType
        from indicators.models import Indicator

        per_kind: dict[str, int] = {}
        for position, item in enumerate(fiche_data.get("indicators", []), start=1):
            kind = _choice(item["kind"], IndicatorKind, f"{where} indicators")
            per_kind[kind] = per_kind.get(kind, 0) + 1
            save(
                Indicator(
                    fiche=fiche,
                    code=item.get("code") or f"{number}-{KIND_LETTERS[kind]}{per_kind[kind]}",
                    kind=kind,
                    label=item["label"].strip(),
                    group=item.get("group") or "",
                    value_type=_choice(item["value_type"], ValueType, f"{where} indicators"),
                    unit=item.get("unit") or "",
                    target_value=_decimal(item.get("target_value"), f"{where} indicators"),
                    target_year=item.get("target_year"),
                    baseline_value=_decimal(item.get("baseline_value"), f"{where} indicators"),
                    baseline_year=item.get("baseline_year"),
                    position=position,
                )
            )
            counts["indicateurs"] += 1
        if not fiche_data.get("indicators"):
            raise PlanLoadError(f"{where} : la fiche {number} n'a pas d'indicateur.")
    return PlanLoadReport(plan=plan, created=True, counts=counts)


@transaction.atomic
def user_attach_to_pilot(
    *,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None,
    pilot: Pilot | None,
    role_group: str = roles.PILOTS_GROUP,
) -> tuple[User, bool]:
    """Create (or find) a user, put them in a role group and, for a pilot, attach them to a pilot post.

    Idempotent: an existing user keeps their password and gains the group and the post.
    """
    if role_group not in roles.ROLE_GROUPS:
        raise ValueError(f"Rôle inconnu : {role_group}")
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": email, "first_name": first_name, "last_name": last_name}
    )
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.is_staff = role_group == roles.SCP_GROUP
        user.save()
    user.groups.add(Group.objects.get(name=role_group))
    if pilot is not None:
        pilot.users.add(user)
    return user, created
