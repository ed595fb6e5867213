"""Contracts for the tests of the legal indicators' pages and the bilan's section.

Each contract is first a `Spec`: what its DECP record says (considerations as the words the format
uses; None for a record that predates the field). `create()` stores it as the import would (through
`Contract.objects.create`, so the history records it), `decp_file()` writes the same contracts as a
DECP file of the 2022 format for the real import (`decp_apply`), and `expected()` counts each legal
category straight from the specs, with plain Python and none of the app's code.
"""

import datetime
import json
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from actions.models import Buyer, Plan
from contracts.enums import Considerations, Nature
from contracts.models import Contract

BUYER = "22540001600015"
OTHER_BUYER = "21540395800010"  # not a buyer of the plan: its contracts never count
HOLDER = "55204599900869"

CLAUSE, CRITERION, RESERVED = "Clause sociale", "Critère social", "Marché réservé"
ENV_CLAUSE, ENV_CRITERION = "Clause environnementale", "Critère environnemental"
NO_SOCIAL, NO_ENV = "Pas de considération sociale", "Pas de considération environnementale"
SOCIAL_CHOICES = [None, [], [CLAUSE], [CRITERION], [RESERVED], [CLAUSE, RESERVED]]
ENV_CHOICES = [None, [], [ENV_CLAUSE], [ENV_CRITERION], [ENV_CLAUSE, ENV_CRITERION]]
CPVS = ["45233141-9", "15894210-6", "90919200-4", "79620000-6", "45453000-7", "77310000-6"]
OBJECTS = ["Entretien des routes", "Repas des collèges", "Nettoyage des locaux", "Insertion", "Voirie"]


@dataclass
class Spec:
    contract_id: str
    notified: datetime.date
    amount: Decimal
    social: list[str] | None  # None: the record has no such field (unknown); []: "none stated"
    environmental: list[str] | None
    buyer: str = BUYER
    cpv: str = "45233141-9"
    object: str = "Entretien des routes"
    holders: list[str] = field(default_factory=lambda: [HOLDER])
    is_demo: bool = False

    @property
    def year(self) -> int:
        return self.notified.year


def add_buyer(plan: Plan, siret: str = BUYER, name: str = "Département de Meurthe-et-Moselle") -> Buyer:
    return Buyer.objects.create(plan=plan, siret=siret, name=name)


def _state(words: list[str] | None) -> str:
    if words is None:
        return Considerations.UNKNOWN
    return Considerations.STATED if words else Considerations.NONE


def create(spec: Spec) -> Contract:
    """The contract as the import stores it."""
    social, env = spec.social or [], spec.environmental or []
    flags = {
        "social_clause": CLAUSE in social,
        "social_criterion": CRITERION in social,
        "reserved": RESERVED in social,
        "environmental_clause": ENV_CLAUSE in env,
        "environmental_criterion": ENV_CRITERION in env,
    }
    published = {
        "social": _state(spec.social),
        "environmental": _state(spec.environmental),
        **flags,
        "social_words": social,
        "environmental_words": env,
    }
    return Contract.objects.create(
        uid=f"{spec.buyer}{spec.contract_id}",
        buyer_siret=spec.buyer,
        contract_id=spec.contract_id,
        nature=Nature.CONTRACT,
        nature_label="Marché",
        object=spec.object,
        cpv=spec.cpv,
        procedure="Appel d'offres ouvert",
        notified_on=spec.notified,
        year=spec.year,
        initial_amount=spec.amount,
        current_amount=spec.amount,
        social=_state(spec.social),
        environmental=_state(spec.environmental),
        published=published,
        **flags,
        holders=spec.holders,
        published_on=spec.notified + datetime.timedelta(days=10),
        source_file="test.json",
        is_demo=spec.is_demo,
    )


def generate(count: int, *, years=range(2021, 2027), seed: int = 54, prefix: str = "T") -> list[Spec]:
    """`count` contracts spread over `years`, with every mix of considerations (deterministic)."""
    rng = random.Random(seed)
    specs = []
    for index in range(count):
        year = rng.choice(list(years))
        notified = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        specs.append(
            Spec(
                contract_id=f"{prefix}{year}{index:04d}",
                notified=notified,
                amount=Decimal(rng.randrange(40_000_00, 2_000_000_00)) / 100,
                social=rng.choice(SOCIAL_CHOICES),
                environmental=rng.choice(ENV_CHOICES),
                cpv=rng.choice(CPVS),
                object=rng.choice(OBJECTS),
            )
        )
    return specs


def expected(specs: list[Spec], *, years, buyers=(BUYER,)) -> dict[str, dict]:
    """Count and amount of each legal category, straight from the specs (none of the app's code)."""
    chosen = [s for s in specs if s.year in set(years) and s.buyer in buyers]
    tests = {
        "contracts": lambda s: True,
        "social": lambda s: bool(s.social),
        "reserved": lambda s: bool(s.social) and RESERVED in s.social,
        "environmental": lambda s: bool(s.environmental),
        "both": lambda s: bool(s.social) and bool(s.environmental),
        "none": lambda s: s.social == [] and s.environmental == [],
        "unknown": lambda s: s.social is None or s.environmental is None,
    }
    return {
        name: {
            "count": sum(1 for s in chosen if test(s)),
            "amount": sum((s.amount for s in chosen if test(s)), Decimal("0")),
        }
        for name, test in tests.items()
    }


def french(number: Decimal | int, places: int = 0) -> str:
    """A number as a French reader reads it, written here independently: "1 234 567,8" (no-break space)."""
    text = f"{Decimal(number):,.{places}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def euros(amount: Decimal) -> str:
    whole = amount == amount.to_integral_value()
    return f"{french(amount, 0 if whole else 2)}\u00a0€"


def share(part, whole) -> str:
    if not whole:
        return "—"
    return f"{french((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal('0.1')), 1)}\u00a0%"


def decp_record(spec: Spec) -> dict:
    """The spec as a DECP record of the 2022 format."""
    record = {
        "id": spec.contract_id,
        "acheteur": {"id": spec.buyer},
        "nature": "Marché",
        "objet": spec.object,
        "codeCPV": spec.cpv,
        "procedure": "Appel d'offres ouvert",
        "dureeMois": 12,
        # Written with an offset, as many buyers' profiles do: the date itself is what counts.
        "dateNotification": f"{spec.notified.isoformat()}+01:00",
        "datePublicationDonnees": (spec.notified + datetime.timedelta(days=10)).isoformat(),
        "montant": float(spec.amount),
        "formePrix": "Forfaitaire",
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": h}} for h in spec.holders],
    }
    if spec.social is not None:
        record["considerationsSociales"] = {"considerationSociale": spec.social or [NO_SOCIAL]}
    if spec.environmental is not None:
        record["considerationsEnvironnementales"] = {
            "considerationEnvironnementale": spec.environmental or [NO_ENV]
        }
    return record


def decp_file(path: Path, specs: list[Spec]) -> Path:
    content = {"marches": {"marche": [decp_record(s) for s in specs]}}
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return path


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The text of each row of one table of a page (by id): [header cell, data cells...]."""
    table = re.search(rf'<table id="{table_id}".*?</table>', html, re.S).group(0)
    result = []
    for row in re.findall(r"<tr.*?</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        cells = [re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>", " ", cell)) for cell in cells]
        result.append([" ".join(cell.split()) for cell in cells])
    return result
