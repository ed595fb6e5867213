"""DECP files built by hand for the tests: each record as the official format writes it.

`marche()` and `concession()` give a record of the 2022 format (arrêté du 22 décembre 2022, schema
2.0.3, like the official examples in tests/contracts/data/); `marche_2019()` and `concession_2019()` one
of the 2019 format. `write_2022()` / `write_2019()` put them in a file. A consideration argument left at
None leaves the field out (a record that predates it); a list writes it as the format does.
"""

import json
from pathlib import Path

from actions.models import Buyer, Plan
from tests.factories import PlanFactory

DATA = Path(__file__).resolve().parent / "data"
EXAMPLE_MODIFICATIONS = DATA / "example_marches_avec_modifications.json"
EXAMPLE_CONCESSIONS = DATA / "example_marches_concessions.json"

BUYER = "22540001600015"  # the plan's buyer in these tests
OTHER_BUYER = "21540395800010"  # a buyer of another plan: its contracts are not kept
SECOND_BUYER = "25540001600018"  # another buyer of the same plan (tests of --buyer)
HOLDER = "55204599900869"

SOCIAL_CLAUSE = "Clause sociale"
SOCIAL_CRITERION = "Critère social"
RESERVED = "Marché réservé"
NO_SOCIAL = "Pas de considération sociale"
ENV_CLAUSE = "Clause environnementale"
ENV_CRITERION = "Critère environnemental"
NO_ENV = "Pas de considération environnementale"


def add_buyer(plan: Plan, siret: str = BUYER, name: str = "Département de Meurthe-et-Moselle") -> Buyer:
    """The plan's buyer, as SCP enters it in the admin (plan page, "acheteurs" inline)."""
    return Buyer.objects.create(plan=plan, siret=siret, name=name)


def other_plan_with_buyer(siret: str) -> Plan:
    plan = PlanFactory()
    add_buyer(plan, siret, name="Ville de test")
    return plan


def _list(values):
    return list(values) if values is not None else None


def _considerations(record: dict, social: list[str] | None, environmental: list[str] | None) -> None:
    if social is not None:
        record["considerationsSociales"] = {"considerationSociale": social}
    if environmental is not None:
        record["considerationsEnvironnementales"] = {"considerationEnvironnementale": environmental}


def marche(
    contract_id: str,
    *,
    buyer: str = BUYER,
    notified: str | None = "2025-03-12",
    amount=100000,
    social: list[str] | None = (NO_SOCIAL,),
    environmental: list[str] | None = (NO_ENV,),
    published: str | None = "2025-03-20",
    modifications: list[dict] | None = None,
    objet: str = "Travaux d'entretien des routes départementales",
    cpv: str = "45233141-9",
    **extra,
) -> dict:
    """A contract (marché) of the 2022 format; None for `notified`, `amount` or `published` leaves it out."""
    record = {
        "id": contract_id,
        "acheteur": {"id": buyer},
        "nature": "Marché",
        "objet": objet,
        "codeCPV": cpv,
        "procedure": "Appel d'offres ouvert",
        "dureeMois": 24,
        "formePrix": "Unitaire",
        "lieuExecution": {"code": "54000", "typeCode": "Code postal"},
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": HOLDER}}],
    }
    if notified is not None:
        record["dateNotification"] = notified
    if published is not None:
        record["datePublicationDonnees"] = published
    if amount is not None:
        record["montant"] = amount
    _considerations(record, _list(social), _list(environmental))
    if modifications:
        record["modifications"] = [{"modification": m} for m in modifications]
    record.update(extra)
    return record


def modification(
    number: int, *, amount=None, value=None, published: str, notified: str | None = None
) -> dict:
    """A modification of the 2022 format: `amount` for a marché (montant), `value` for a concession."""
    item = {"id": number, "dureeMois": 36, "datePublicationDonneesModification": published}
    if amount is not None:
        item["montant"] = amount
        item["dateNotificationModification"] = notified or published
    if value is not None:
        item["valeurGlobale"] = value
        item["dateSignatureModification"] = notified or published
    return item


def concession(
    contract_id: str,
    *,
    authority: str = BUYER,
    signed: str | None = "2025-06-02",
    value=250000,
    social: list[str] | None = (NO_SOCIAL,),
    environmental: list[str] | None = (NO_ENV,),
    published: str | None = "2025-06-12",
    modifications: list[dict] | None = None,
    objet: str = "Délégation du service public de transport scolaire",
    **extra,
) -> dict:
    """A concession contract of the 2022 format (autoriteConcedante, dateSignature, valeurGlobale)."""
    record = {
        "id": contract_id,
        "autoriteConcedante": {"id": authority},
        "nature": "Concession de service",
        "objet": objet,
        "procedure": "Procédure négociée ouverte",
        "dureeMois": 60,
        "dateDebutExecution": signed,
        "montantSubventionPublique": 0,
        "concessionnaires": [{"concessionnaire": {"typeIdentifiant": "SIRET", "id": HOLDER}}],
    }
    if signed is not None:
        record["dateSignature"] = signed
    if published is not None:
        record["datePublicationDonnees"] = published
    if value is not None:
        record["valeurGlobale"] = value
    _considerations(record, _list(social), _list(environmental))
    if modifications:
        record["modifications"] = [{"modification": m} for m in modifications]
    record.update(extra)
    return record


def marche_2019(
    contract_id: str,
    *,
    buyer: str = BUYER,
    notified: str = "2019-09-16",
    amount=80000,
    published: str = "2019-09-30",
    modifications: list[dict] | None = None,
) -> dict:
    """A contract of the 2019 format: `_type`, bare holders and modifications, no considerations."""
    return {
        "_type": "Marché",
        "uid": f"{buyer}{contract_id}",
        "id": contract_id,
        "acheteur": {"id": buyer, "nom": "Département de Meurthe-et-Moselle"},
        "nature": "Marché",
        "objet": "Fourniture de sel de déneigement",
        "codeCPV": "34927100",
        "procedure": "Appel d'offres ouvert",
        "lieuExecution": {"code": "54", "typeCode": "Code département", "nom": "Meurthe-et-Moselle"},
        "dureeMois": 12,
        "dateNotification": notified,
        "datePublicationDonnees": published,
        "montant": amount,
        "formePrix": "Unitaire",
        "titulaires": [{"typeIdentifiant": "SIRET", "id": HOLDER, "denominationSociale": "Sel & Co"}],
        "modifications": modifications or [],
    }


def concession_2019(
    contract_id: str, *, authority: str = BUYER, signed: str = "2019-05-06", value=1200000
) -> dict:
    return {
        "_type": "Contrat de concession",
        "uid": f"{authority}{contract_id}",
        "id": contract_id,
        "autoriteConcedante": {"id": authority, "nom": "Département de Meurthe-et-Moselle"},
        "nature": "Délégation de service public",
        "objet": "Exploitation d'un centre de loisirs",
        "procedure": "Procédure négociée ouverte",
        "lieuExecution": {"code": "54", "typeCode": "Code département", "nom": "Meurthe-et-Moselle"},
        "dureeMois": 60,
        "dateSignature": signed,
        "datePublicationDonnees": "2019-05-20",
        "dateDebutExecution": signed,
        "valeurGlobale": value,
        "montantSubventionPublique": 0,
        "concessionnaires": [{"typeIdentifiant": "SIRET", "id": HOLDER, "denominationSociale": "Loisirs"}],
        "donneesExecution": [],
        "modifications": [],
    }


def write_2022(path: Path, marches=(), concessions=()) -> Path:
    """A file of the 2022 format; an empty list leaves its key out (as the schema allows)."""
    content = {}
    if marches:
        content["marche"] = list(marches)
    if concessions:
        content["contrat-concession"] = list(concessions)
    path.write_text(json.dumps({"marches": content}, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def write_2019(path: Path, records) -> Path:
    path.write_text(json.dumps({"marches": list(records)}, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# Files that are not DECP at all: each is refused whole, nothing written.
NOT_DECP = {
    "json-sans-marches.json": b'{"contrats": [{"id": "1", "montant": 100000}]}',
    "tableau.json": b'[{"id": "1", "montant": 100000}]',
    "marches-nombre.json": b'{"marches": 12}',
    "json-invalide.json": b'{"marches": {"marche": [{"id": "1", "montant": 1',
    "vide.json": b"",
    "image.png": bytes(range(256)) * 8,
    "tableur.csv": b"id;acheteur;montant\n1;22540001600015;100000\n",
}
