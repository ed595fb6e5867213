"""Loading a plan from its files (fixtures/<plan>/: plan.yaml and one YAML file per fiche): the whole
plan, all or nothing, each row through `save_claimed` with its author (None: the system)."""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.contrib.auth.models import User
from django.db import transaction

from core import rights
from core.versioning import save_claimed

from . import enums
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
from .services import EDIT_REFUSED


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
    rights.require(user is None or rights.may_edit_plan(user), EDIT_REFUSED)
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
