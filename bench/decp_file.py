"""The contracts register's benchmark file (bench.decp): a DECP file of the 2022 format, the size of
a national consolidated file, marchés and concessions mixed, written streaming."""

import json
import random
import time
from pathlib import Path

BUYER = "22540001600015"  # the plan's buyer (Département de Meurthe-et-Moselle in the demo)
CONCESSION_EVERY = 33  # about 3 % of the records are concessions, as in the national files
YEARS = range(2021, 2027)

OBJECTS = [
    "Travaux d'entretien et de grosses réparations des routes départementales",
    "Fourniture de denrées alimentaires pour la restauration des collèges",
    "Prestations de nettoyage des bâtiments administratifs",
    "Maîtrise d'œuvre pour la réhabilitation thermique d'un collège",
    "Transport scolaire des élèves en situation de handicap",
    "Acquisition de matériel informatique et de logiciels",
    "Insertion professionnelle : chantier d'entretien des espaces naturels sensibles",
]
CPV = ["45233141-9", "15800000-6", "90910000-9", "71221000-3", "60130000-8", "30213000-5", "77310000-6"]
SOCIAL = [["Clause sociale"], ["Critère social"], ["Marché réservé"], ["Pas de considération sociale"]]
ENVIRONMENTAL = [
    ["Clause environnementale"],
    ["Critère environnemental"],
    ["Pas de considération environnementale"],
]


def _date(rng: random.Random) -> str:
    year = rng.choice(YEARS)
    day = f"{year}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}"
    return day + "+01:00" if rng.random() < 0.3 else day  # as many buyers' profiles write them


def _considerations(record: dict, rng: random.Random, notified: str) -> None:
    if notified >= "2024":  # the fields exist since 2024: older records leave them out (unknown)
        record["considerationsSociales"] = {"considerationSociale": rng.choice(SOCIAL)}
        record["considerationsEnvironnementales"] = {
            "considerationEnvironnementale": rng.choice(ENVIRONMENTAL)
        }


def _marche(number: int, buyer: str, rng: random.Random) -> dict:
    notified = _date(rng)
    record = {
        "id": f"{notified[:4]}M{number:07}",
        "acheteur": {"id": buyer},
        "nature": "Marché",
        "objet": rng.choice(OBJECTS),
        "codeCPV": rng.choice(CPV),
        "procedure": "Appel d'offres ouvert",
        "techniques": {"technique": ["Accord-cadre"]},
        "modalitesExecution": {"modaliteExecution": ["Bons de commande"]},
        "lieuExecution": {"code": "54000", "typeCode": "Code postal"},
        "dureeMois": rng.choice([12, 24, 36, 48]),
        "dateNotification": notified,
        "datePublicationDonnees": notified[:10],
        "montant": rng.randint(40_000, 5_000_000) + rng.choice([0, 0.5, 0.25]),
        "formePrix": "Unitaire",
        "typesPrix": {"typePrix": ["Définitif ferme"]},
        "offresRecues": rng.randint(1, 9),
        "marcheInnovant": False,
        "attributionAvance": False,
        "sousTraitanceDeclaree": False,
        "titulaires": [
            {"titulaire": {"typeIdentifiant": "SIRET", "id": f"{rng.randrange(10**13, 10**14)}"}}
            for _ in range(rng.choice([1, 1, 1, 2]))
        ],
    }
    _considerations(record, rng, notified)
    if rng.random() < 0.2:
        record["modifications"] = [
            {
                "modification": {
                    "id": 1,
                    "dureeMois": record["dureeMois"] + 12,
                    "montant": record["montant"] * 1.1,
                    "dateNotificationModification": notified[:10],
                    "datePublicationDonneesModification": notified[:10],
                }
            }
        ]
    return record


def _concession(number: int, authority: str, rng: random.Random) -> dict:
    signed = _date(rng)
    record = {
        "id": f"{signed[:4]}C{number:07}",
        "autoriteConcedante": {"id": authority},
        "nature": "Concession de service",
        "objet": "Délégation du service public de transport et d'exploitation d'équipements",
        "procedure": "Procédure négociée ouverte",
        "dureeMois": 60,
        "dateSignature": signed,
        "datePublicationDonnees": signed[:10],
        "dateDebutExecution": signed[:10],
        "valeurGlobale": rng.randint(100_000, 50_000_000),
        "montantSubventionPublique": 0,
        "concessionnaires": [{"concessionnaire": {"typeIdentifiant": "SIRET", "id": "38103128500491"}}],
        "donneesExecution": [],
    }
    _considerations(record, rng, signed)
    return record


def generate(path: Path, *, contracts: int, buyer_contracts: int, buyer: str = BUYER, seed: int = 54) -> dict:
    """Write the file record by record (never built in memory): marchés then concessions, as the 2022
    format orders them; `buyer_contracts` of them, spread through the file, are `buyer`'s."""
    rng = random.Random(seed)
    every = max(1, contracts // buyer_contracts)
    buyers = [f"2{n:013}" for n in range(50_000)]  # the other buyers of France
    marches = (n for n in range(contracts) if n % CONCESSION_EVERY)
    counts = {"marche": 0, "contrat-concession": 0, "buyer": 0}
    started = time.perf_counter()
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as out:
        out.write('{"marches": {')
        for key, numbers, make in (
            ("marche", marches, _marche),
            ("contrat-concession", range(0, contracts, CONCESSION_EVERY), _concession),
        ):
            out.write(f'"{key}": [' if key == "marche" else f', "{key}": [')
            for index, number in enumerate(numbers):
                mine = number % every == 0 and number // every < buyer_contracts
                counts["buyer"] += mine
                record = make(number, buyer if mine else rng.choice(buyers), rng)
                out.write(("," if index else "") + json.dumps(record, ensure_ascii=False))
                counts[key] += 1
            out.write("]")
        out.write("}}")
    return {
        **counts,
        "contracts": counts["marche"] + counts["contrat-concession"],
        "bytes": path.stat().st_size,
        "seconds": time.perf_counter() - started,
    }
