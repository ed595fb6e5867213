"""The open data of a public plan: CSV and JSON files under the Licence Ouverte 2.0.

They are built from the public selectors only (public/selectors.py: validated years, no withheld fiche,
pilots as directions), and described by the schemas committed in public/schemas/ -- Table Schema for
each CSV, JSON Schema for each JSON file. Those schemas are the one description of the files: the
CSV columns and their order, the data page's tables of columns and the catalogue all read them.

CSV: UTF-8 without BOM, comma-separated, a header line, decimal point, booleans true/false, dates
AAAA-MM-JJ, an empty cell for no value. A text cell that a spreadsheet could run as a formula gets a
leading apostrophe, as in the Excel exports (see `csv_cell`).
"""

import csv
import datetime
import functools
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.urls import reverse

from actions.enums import GoalKind, MilestoneKind, MilestoneStatus, ValueType
from actions.models import Fiche, Indicator, Milestone
from core.excel.files import neutralise
from core.values import UNIT_SUFFIX

from .selectors import PlanMeta, PublicRows

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
LICENCE = {
    "titre": "Licence Ouverte / Open Licence version 2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
# Codes of the files (French, stable), for the codes the database keeps.
VALUE_TYPES = {
    ValueType.COUNT: "nombre",
    ValueType.PERCENTAGE: "pourcentage",
    ValueType.AMOUNT: "montant",
    ValueType.HOURS: "heures",
    ValueType.RATIO: "ratio",
    ValueType.BOOLEAN: "oui_non",
    ValueType.TEXT: "texte",
}
MILESTONE_KINDS = {MilestoneKind.STEP: "etape", MilestoneKind.DEADLINE: "echeance"}
GOAL_KINDS = {GoalKind.QUANTITATIVE: "quantitatif", GoalKind.QUALITATIVE: "qualitatif"}
# Table Schema's types, as the data page names them.
TYPE_LABELS = {
    "string": "texte",
    "integer": "entier",
    "number": "nombre décimal",
    "boolean": "booléen (true ou false)",
    "date": "date (AAAA-MM-JJ)",
}


@functools.cache
def schema(name: str) -> dict:
    """A committed schema (public/schemas/NAME), read once per process."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def schema_names() -> list[str]:
    return sorted(path.name for path in SCHEMA_DIR.glob("*.schema.json"))


def schema_modified(name: str) -> datetime.datetime:
    return datetime.datetime.fromtimestamp((SCHEMA_DIR / name).stat().st_mtime, tz=datetime.UTC)


# --- rows -------------------------------------------------------------------------------------------


@dataclass
class OpenData:
    """Everything the files of a plan hold, as plain rows (built once, rendered in every format)."""

    header: dict  # plan, licence, update date, demo flag: the head of every JSON file
    fiches: list[dict]
    milestones: list[dict]
    indicators: list[dict]
    values: list[dict]  # one per indicator and validated year; "valeur" typed (Decimal, bool, str, None)
    axes: list[dict]  # the plan as a tree, for plan.json
    withheld: list[dict]


def _unit(indicator: Indicator) -> str:
    return UNIT_SUFFIX.get(indicator.value_type) or indicator.unit


def _milestone_row(milestone: Milestone, validated_years: list[int]) -> dict:
    """A milestone's public status: a completion counts once the year it belongs to is validated."""
    done = milestone.is_done and milestone.completion_validated(validated_years)
    status = MilestoneStatus.PLANNED if milestone.is_done and not done else MilestoneStatus(milestone.status)
    return {
        "ordre": milestone.position,
        "nature": MILESTONE_KINDS[milestone.kind],
        "phase": milestone.heading,
        "libelle": milestone.text,
        "echeance": milestone.due_text,
        "date_limite": milestone.due_date,
        "statut": status.value,
        "realise_le": milestone.completed_on if done else None,
    }


def _indicator_row(indicator: Indicator) -> dict:
    return {
        "code": indicator.code,
        "nature": indicator.kind,
        "intitule_commun": indicator.group,
        "libelle": indicator.label,
        "type_valeur": VALUE_TYPES[indicator.value_type],
        "unite": _unit(indicator),
        "valeur_cible": indicator.target_value,
        "annee_cible": indicator.target_year,
        "valeur_reference": indicator.baseline_value,
        "annee_reference": indicator.baseline_year,
    }


def _value_rows(fiche: Fiche, rows: PublicRows) -> list[dict]:
    result = []
    for indicator in fiche.indicators.all():
        for year in rows.validated_years(fiche):
            value = rows.values[indicator.pk].get(year)
            result.append(
                {
                    "numero_fiche": fiche.number,
                    "code_indicateur": indicator.code,
                    "libelle_indicateur": indicator.label,
                    "type_valeur": VALUE_TYPES[indicator.value_type],
                    "unite": _unit(indicator),
                    "annee": year,
                    "valeur": value.raw if value else None,
                    "renseignee": value is not None and value.raw is not None,
                    "donnee_demo": bool(value and value.is_demo),
                }
            )
    return result


def _fiche_tree(fiche: Fiche, rows: PublicRows, url: str) -> dict:
    """A fiche in plan.json: every part the open data describes, nested."""
    progress = rows.progress(fiche)
    validated = rows.validated_years(fiche)
    return {
        "numero": fiche.number,
        "intitule": fiche.title,
        "url": url,
        "principes": [p.label for p in fiche.principles.all()],
        "directions_pilotes": [
            {"sigle": pilot.direction.code, "nom": pilot.direction.name} for pilot in fiche.ordered_pilots()
        ],
        "action_phare": fiche.is_flagship,
        "pack": fiche.pack.name if fiche.pack else None,
        "ajoutee_le": fiche.added_on,
        "complexite": fiche.get_complexity_display(),
        "duree": fiche.get_duration_display(),
        "contexte": fiche.context,
        "avancement": {"statut": progress.code, "libelle": progress.label, "annee": progress.year},
        "annees_validees": validated,
        "objectifs": [
            {
                "nature": GOAL_KINDS[goal.kind],
                "texte": goal.text,
                "cible": goal.target_value,
                "unite_cible": goal.target_unit,
            }
            for goal in fiche.goals.all()
        ],
        "jalons": [_milestone_row(m, validated) for m in fiche.milestones.all()],
        "indicateurs": [_indicator_row(i) for i in fiche.indicators.all()],
    }


def _fiche_row(tree: dict, fiche: Fiche) -> dict:
    """A fiche in fiches.csv: the same facts as plan.json, flattened."""
    directions = tree["directions_pilotes"]
    return {
        "numero": fiche.number,
        "intitule": fiche.title,
        "axe": fiche.objective.axis.name,
        "objectif_code": fiche.objective.code,
        "objectif": fiche.objective.title,
        "principes": " ; ".join(tree["principes"]),
        "directions_pilotes": " ; ".join(d["sigle"] for d in directions),
        "directions_pilotes_noms": " ; ".join(d["nom"] for d in directions),
        "action_phare": fiche.is_flagship,
        "pack": tree["pack"],
        "ajoutee_le": fiche.added_on,
        "complexite": tree["complexite"],
        "duree": tree["duree"],
        "avancement": tree["avancement"]["statut"],
        "avancement_libelle": tree["avancement"]["libelle"],
        "avancement_annee": tree["avancement"]["annee"],
        "annees_validees": " ; ".join(map(str, tree["annees_validees"])),
        "url": tree["url"],
    }


def open_data(*, meta: PlanMeta, origin: str) -> OpenData:
    """The rows of every file of a public plan (about twelve queries whatever its size).

    `origin` ("https://host") makes the addresses in the files absolute.
    """
    plan = meta.plan
    rows = PublicRows.read(plan)
    axes: dict[int, dict] = {}
    objectives: dict[int, dict] = {}
    data = OpenData(header={}, fiches=[], milestones=[], indicators=[], values=[], axes=[], withheld=[])
    for fiche in rows.fiches:
        url = origin + reverse("public:fiche", args=[plan.slug, fiche.number])
        tree = _fiche_tree(fiche, rows, url)
        data.fiches.append({"plan": plan.slug, **_fiche_row(tree, fiche)})
        data.milestones += [{"plan": plan.slug, "numero_fiche": fiche.number, **m} for m in tree["jalons"]]
        data.indicators += [
            {"plan": plan.slug, "numero_fiche": fiche.number, **i} for i in tree["indicateurs"]
        ]
        data.values += _value_rows(fiche, rows)
        objective, axis = fiche.objective, fiche.objective.axis
        if axis.pk not in axes:
            axes[axis.pk] = {"code": axis.code, "nom": axis.name, "objectifs": []}
            data.axes.append(axes[axis.pk])
        if objective.pk not in objectives:
            objectives[objective.pk] = {"code": objective.code, "intitule": objective.title, "fiches": []}
            axes[axis.pk]["objectifs"].append(objectives[objective.pk])
        objectives[objective.pk]["fiches"].append(tree)
    data.withheld = [{"numero": w["number"], "motif": w["withheld_reason"]} for w in rows.withheld]
    data.header = {
        "plan": {
            "identifiant": plan.slug,
            "titre": plan.title,
            "titre_court": plan.short_title,
            "collectivite": plan.buyer,
            "premiere_annee": plan.start_year,
            "derniere_annee": plan.end_year,
            "adopte_le": plan.adopted_on,
            "url": origin + reverse("public:plan", args=[plan.slug]),
        },
        "licence": LICENCE,
        "mis_a_jour_le": meta.updated_at,
        "donnees_de_demonstration": meta.is_demo,
    }
    return data


# --- formats -------------------------------------------------------------------------------------------


def csv_cell(value, field_type: str) -> str:
    """A value as the cell of a column of that Table Schema type.

    Titles, labels and text values are typed by people: in a text ("string") column, a cell starting
    with =, +, -, @, a tab or a carriage return would be run as a formula by a spreadsheet opening the
    file, so it is neutralised as the Excel exports' cells are (a leading apostrophe; the same function
    also drops the control characters no spreadsheet cell holds). The typed columns (number, integer,
    boolean, date) are left as they are: -3 in a number column stays -3.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Decimal):
        text = format(value.normalize(), "f")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = str(value)
    return neutralise(text) if field_type == "string" else text


def to_csv(schema_name: str, rows: list[dict]) -> bytes:
    """Rows as CSV, columns in the order of the file's Table Schema, each cell written for its type."""
    fields = [(f["name"], f["type"]) for f in schema(schema_name)["fields"]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in fields])
    for row in rows:
        writer.writerow([csv_cell(row.get(name), field_type) for name, field_type in fields])
    return out.getvalue().encode("utf-8")


def _json_default(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1, default=_json_default).encode("utf-8")


def _values_csv_rows(data: OpenData) -> list[dict]:
    """valeurs.csv spreads the typed value over three columns (a CSV column has one type)."""
    rows = []
    for row in data.values:
        raw = row["valeur"]
        rows.append(
            {
                **{k: v for k, v in row.items() if k != "valeur"},
                "plan": data.header["plan"]["identifiant"],
                "valeur_nombre": raw if isinstance(raw, Decimal) else None,
                "valeur_oui_non": raw if isinstance(raw, bool) else None,
                "valeur_texte": raw if isinstance(raw, str) else None,
            }
        )
    return rows


@dataclass(frozen=True)
class DataFile:
    """A file of the open data: its name, type, schema, and how it is written from the rows."""

    name: str
    media_type: str
    schema_name: str
    render: Callable[[OpenData], bytes]

    @property
    def format(self) -> str:
        return self.name.rsplit(".", 1)[1].upper()

    @property
    def title(self) -> str:
        return schema(self.schema_name)["title"]

    @property
    def description(self) -> str:
        return schema(self.schema_name)["description"]

    @property
    def columns(self) -> list[dict]:
        """A CSV's columns as its Table Schema describes them (empty for a JSON file)."""
        fields = schema(self.schema_name).get("fields", [])
        return [{**f, "type_label": TYPE_LABELS.get(f["type"], f["type"])} for f in fields]


FILES = (
    DataFile(
        "valeurs.csv",
        "text/csv",
        "valeurs.csv.schema.json",
        lambda data: to_csv("valeurs.csv.schema.json", _values_csv_rows(data)),
    ),
    DataFile(
        "valeurs.json",
        "application/json",
        "valeurs.json.schema.json",
        lambda data: to_json({**data.header, "valeurs": data.values}),
    ),
    DataFile(
        "plan.json",
        "application/json",
        "plan.json.schema.json",
        lambda data: to_json({**data.header, "axes": data.axes, "fiches_non_publiees": data.withheld}),
    ),
    DataFile(
        "fiches.csv",
        "text/csv",
        "fiches.csv.schema.json",
        lambda d: to_csv("fiches.csv.schema.json", d.fiches),
    ),
    DataFile(
        "jalons.csv",
        "text/csv",
        "jalons.csv.schema.json",
        lambda d: to_csv("jalons.csv.schema.json", d.milestones),
    ),
    DataFile(
        "indicateurs.csv",
        "text/csv",
        "indicateurs.csv.schema.json",
        lambda data: to_csv("indicateurs.csv.schema.json", data.indicators),
    ),
)
FILES_BY_NAME = {file.name: file for file in FILES}
