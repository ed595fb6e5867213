"""`legal_indicators`: the legal rates (art. L2111-3) of a year, checked against figures this test
computes itself from the records it wrote (the issue's definitions, read from the raw DECP fields),
not with the register's code."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from tests.contracts import files
from tests.contracts.files import (
    BUYER,
    ENV_CLAUSE,
    ENV_CRITERION,
    NO_ENV,
    NO_SOCIAL,
    OTHER_BUYER,
    RESERVED,
    SOCIAL_CLAUSE,
    SOCIAL_CRITERION,
    concession,
    concession_2019,
    marche,
    marche_2019,
    modification,
    write_2019,
    write_2022,
)

pytestmark = pytest.mark.django_db

SOCIAL_WORDS = {SOCIAL_CLAUSE, SOCIAL_CRITERION, RESERVED}
ENV_WORDS = {ENV_CLAUSE, ENV_CRITERION}

MARCHES = [
    marche("L-01", amount=100000, social=[SOCIAL_CLAUSE], environmental=[ENV_CLAUSE]),
    marche("L-02", amount="250000.50", social=[RESERVED], environmental=[NO_ENV]),
    marche("L-03", amount=45000, social=[NO_SOCIAL], environmental=[ENV_CRITERION]),
    marche("L-04", amount=60000.25, social=[NO_SOCIAL], environmental=[NO_ENV]),
    marche("L-05", amount=70000, social=[SOCIAL_CRITERION, RESERVED], environmental=None),
    marche("L-06", amount=90000, social=None, environmental=None, notified="2025-01-01+01:00"),
    # Published twice: the later publication states a social clause and a modification.
    marche("L-07", amount=80000, social=[NO_SOCIAL], environmental=[NO_ENV], published="2025-03-01"),
    marche(
        "L-07",
        amount=80000,
        social=[SOCIAL_CLAUSE],
        environmental=[NO_ENV],
        published="2025-10-01",
        modifications=[modification(1, amount=95000, published="2025-10-01")],
    ),
    marche("L-08", amount=-1),  # an anomaly: counted in number, not in value
    marche("L-09", amount=55000, notified="2026-01-01+01:00"),  # 2026
    marche("X-01", buyer=OTHER_BUYER, amount=500000, social=[SOCIAL_CLAUSE], environmental=[ENV_CLAUSE]),
    # 2026, around the environmental duty (21 August 2026)
    marche("E-1", notified="2026-08-20", environmental=[NO_ENV]),
    marche("E-2", notified="2026-08-21+02:00", environmental=[NO_ENV]),
    marche("E-3", notified="2026-09-01", environmental=None),
    marche("E-4", notified="2026-10-01", environmental=[ENV_CLAUSE]),
    marche("E-0", notified="2026-12-31+01:00", environmental=[NO_ENV], social=[SOCIAL_CLAUSE]),
    marche("X-2", buyer=OTHER_BUYER, notified="2026-09-01", environmental=[NO_ENV]),
    # Services above the European threshold of 2026 (216,000 € HT), without a social clause.
    marche("E-6", notified="2026-09-15", amount=300000, cpv="79620000-6", environmental=[ENV_CRITERION]),
    marche("E-7", notified="2026-09-16", amount=300000, cpv="79620000-6", social=[SOCIAL_CLAUSE]),
]
CONCESSIONS = [
    concession(
        "L-10",
        value=1500000,
        signed="2025-12-31+01:00",
        social=[SOCIAL_CLAUSE],
        environmental=[ENV_CLAUSE, ENV_CRITERION],
    ),
    concession("E-5", signed="2026-08-25", environmental=[NO_ENV]),
]
RECORDS_2019 = [marche_2019("L-11", notified="2025-02-10", amount=41000), concession_2019("L-12")]
# The European thresholds of 2026 (works and concessions; supplies and services of local authorities).
WORKS, SERVICES = Decimal("5404000"), Decimal("216000")


# --- the figures, computed from the raw records --------------------------------------------------------


def _buyer(record: dict) -> str:
    return (record.get("acheteur") or record.get("autoriteConcedante"))["id"]


def _date(record: dict) -> str:
    return (record.get("dateNotification") or record.get("dateSignature"))[:10]


def _stated(record: dict, outer: str, inner: str) -> set[str] | None:
    """The words the record states, or None when it has no such field (unknown)."""
    return set(record[outer][inner]) if outer in record else None


def contracts_of(buyers: set[str]) -> list[dict]:
    """The records an import keeps: the buyers' ones, the latest publication of each contract."""
    latest = {}
    for record in MARCHES + CONCESSIONS + RECORDS_2019:
        if _buyer(record) not in buyers:
            continue
        uid = _buyer(record) + record["id"]
        if uid not in latest or record["datePublicationDonnees"] >= latest[uid]["datePublicationDonnees"]:
            latest[uid] = record
    return list(latest.values())


def _amount(record: dict) -> Decimal | None:
    """The amount, or None when it is an anomaly (below 1 €, above 1 billion € HT): out of the values."""
    amount = Decimal(str(record.get("montant", record.get("valeurGlobale"))))
    return amount if 1 <= amount <= 1_000_000_000 else None


def _above_threshold(record: dict, amount: Decimal | None) -> bool:
    if amount is None:
        return False
    if "autoriteConcedante" in record or record.get("codeCPV", "").startswith("45"):
        return amount >= WORKS
    return amount >= SERVICES


def expected(plan, year: int, buyers: list[str]) -> dict:
    """The command's JSON, from the issue's definitions applied to the raw records."""
    groups = {name: [] for name in ("contracts", "social", "reserved", "environmental", "both", "none")}
    groups["unknown"] = []
    missing, anomalies = [], []
    duties = {"critere_env": [], "clause_env": [], "clause_sociale": []}
    for record in contracts_of(set(buyers)):
        if not _date(record).startswith(str(year)):
            continue
        uid = _buyer(record) + record["id"]
        amount = _amount(record)
        value = amount or Decimal(0)
        social = _stated(record, "considerationsSociales", "considerationSociale")
        env = _stated(record, "considerationsEnvironnementales", "considerationEnvironnementale")
        has_social, has_env = bool(social and social & SOCIAL_WORDS), bool(env and env & ENV_WORDS)
        groups["contracts"].append(value)
        if has_social:
            groups["social"].append(value)
        if social and RESERVED in social:
            groups["reserved"].append(value)
        if has_env:
            groups["environmental"].append(value)
        if has_social and has_env:
            groups["both"].append(value)
        if social is not None and env is not None and not has_social and not has_env:
            groups["none"].append(value)
        if social is None or env is None:
            groups["unknown"].append(value)
        key = (_date(record), uid)
        if amount is None:
            anomalies.append(key)
        if _date(record) >= "2026-08-21":
            if not has_env:
                missing.append(key)
            if not (env and ENV_CRITERION in env):
                duties["critere_env"].append(key)
            if not (env and ENV_CLAUSE in env):
                duties["clause_env"].append(key)
            if _above_threshold(record, amount) and not (social and SOCIAL_CLAUSE in social):
                duties["clause_sociale"].append(key)
    data = {"plan": plan.slug, "year": year, "buyers": sorted(buyers)}
    for name, amounts in groups.items():
        data[name] = {"count": len(amounts), "amount": f"{sum(amounts, Decimal(0)):.2f}"}
    # No SIRENE data: every holder is "non identifié", so every contract (and its whole amount) is.
    for key in ("pme", "tpe", "ess", "siae", "ea_esat", "geiq", "local"):
        data[key] = {"count": 0, "amount": "0.00"}
    data["unidentified"] = data["contracts"]
    data["missing_environmental_since_2026_08_21"] = [uid for _, uid in sorted(missing)]
    data["duties_since_2026_08_21"] = {
        duty: [uid for _, uid in sorted(keys)] for duty, keys in duties.items()
    }
    data["amount_anomalies"] = [uid for _, uid in sorted(anomalies)]
    data.update(corrected=[], corrected_count=0, excluded=[], frozen_at=None, published_after_closing=0)
    return data


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture
def imported(spaser54, tmp_path):
    """SPASER 54 with its buyer, and every record above imported (the other buyer's too)."""
    files.add_buyer(spaser54, BUYER)
    decp_2022 = write_2022(tmp_path / "decp-2022.json", marches=MARCHES, concessions=CONCESSIONS)
    decp_2019 = write_2019(tmp_path / "decp-2019.json", RECORDS_2019)
    call_command(
        "decp_import",
        str(decp_2022),
        str(decp_2019),
        buyer=[BUYER, OTHER_BUYER],
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return spaser54


def legal(plan, year: int, fmt: str = "json", **options) -> str:
    out = io.StringIO()
    call_command("legal_indicators", plan=plan.slug, year=year, format=fmt, stdout=out, **options)
    return out.getvalue()


# --- the JSON ------------------------------------------------------------------------------------------


def test_json_of_2025_is_exactly_the_figures_of_the_records(imported):
    output = legal(imported, 2025)

    data = json.loads(output)
    assert data == expected(imported, 2025, [BUYER])
    assert output.strip() == json.dumps(expected(imported, 2025, [BUYER]), ensure_ascii=False)
    # The same, spelt out for the reader (and in case the helper above erred like the code):
    # L-01..L-08, L-10, L-11 (2019 format, 2025 date), not L-09 (2026), X-01 (other buyer); L-08's
    # amount (-1) is an anomaly: it counts in number, not in value.
    assert data["contracts"] == {"count": 10, "amount": "2236000.75"}
    assert data["social"] == {"count": 5, "amount": "2000000.50"}  # L-01, L-02, L-05, L-07, L-10
    assert data["reserved"] == {"count": 2, "amount": "320000.50"}  # L-02, L-05
    assert data["environmental"] == {"count": 3, "amount": "1645000.00"}  # L-01, L-03, L-10
    assert data["both"] == {"count": 2, "amount": "1600000.00"}  # L-01, L-10
    assert data["none"] == {"count": 2, "amount": "60000.25"}  # L-04, L-08
    assert data["amount_anomalies"] == [f"{BUYER}L-08"]
    assert data["unknown"] == {"count": 3, "amount": "201000.00"}  # L-05, L-06, L-11
    assert data["missing_environmental_since_2026_08_21"] == []
    assert list(data) == [
        "plan",
        "year",
        "buyers",
        "contracts",
        "social",
        "reserved",
        "environmental",
        "both",
        "none",
        "unknown",
        "pme",
        "tpe",
        "ess",
        "siae",
        "ea_esat",
        "geiq",
        "local",
        "unidentified",
        "missing_environmental_since_2026_08_21",
        "duties_since_2026_08_21",
        "amount_anomalies",
        "corrected",
        "corrected_count",
        "excluded",
        "frozen_at",
        "published_after_closing",
    ]


def test_contracts_notified_since_21_august_2026_without_environmental_consideration(imported):
    data = json.loads(legal(imported, 2026))

    assert data == expected(imported, 2026, [BUYER])
    # Not E-1 (20 August), E-4 (a clause), E-6 (a criterion), X-2 (another buyer); by notification date.
    assert data["missing_environmental_since_2026_08_21"] == [
        f"{BUYER}{i}" for i in ("E-2", "E-5", "E-3", "E-7", "E-0")
    ]
    duties = data["duties_since_2026_08_21"]
    assert duties["critere_env"] == [f"{BUYER}{i}" for i in ("E-2", "E-5", "E-3", "E-7", "E-4", "E-0")]
    assert duties["clause_env"] == [f"{BUYER}{i}" for i in ("E-2", "E-5", "E-3", "E-6", "E-7", "E-0")]
    assert duties["clause_sociale"] == [f"{BUYER}E-6"]  # services at 300,000 € HT, no social clause


def test_the_buyer_option_overrides_the_plans_buyers(imported):
    data = json.loads(legal(imported, 2026, buyer=[OTHER_BUYER]))

    assert data == expected(imported, 2026, [OTHER_BUYER])
    assert data["buyers"] == [OTHER_BUYER]
    assert data["missing_environmental_since_2026_08_21"] == [f"{OTHER_BUYER}X-2"]
    both = json.loads(legal(imported, 2025, buyer=[BUYER, OTHER_BUYER]))
    assert both == expected(imported, 2025, [BUYER, OTHER_BUYER])
    assert both["contracts"]["count"] == 11


def test_a_year_without_contracts_gives_zeros(imported):
    data = json.loads(legal(imported, 2021))

    assert data == expected(imported, 2021, [BUYER])
    assert data["contracts"] == {"count": 0, "amount": "0.00"}


def test_the_year_of_the_2019_format_records(imported):
    """L-12 (a 2019 concession, signed in 2019): unknown considerations."""
    data = json.loads(legal(imported, 2019))

    assert data == expected(imported, 2019, [BUYER])
    assert data["unknown"] == {"count": 1, "amount": "1200000.00"}


# --- the CSV -------------------------------------------------------------------------------------------


def test_csv_gives_the_same_figures_as_a_table(imported):
    rows = list(csv.reader(io.StringIO(legal(imported, 2026, "csv"))))

    data = expected(imported, 2026, [BUYER])
    assert rows[0] == ["plan", "annee", "acheteurs", "indicateur", "libelle", "nombre", "montant_ht"]
    categories = ["contracts", "social", "reserved", "environmental", "both", "none", "unknown"]
    categories += ["pme", "tpe", "ess", "siae", "ea_esat", "geiq", "local", "unidentified"]  # holders
    body = rows[1 : 1 + len(categories)]
    assert [r[3] for r in body] == categories
    for row in body:
        assert row[:3] == [imported.slug, "2026", BUYER]
        assert row[4]  # a French label
        assert (int(row[5]), row[6]) == (data[row[3]]["count"], data[row[3]]["amount"])
    listed = rows[1 + len(categories) :]
    missing = [r for r in listed if r[3] == "missing_environmental"]
    assert [r[4] for r in missing] == data["missing_environmental_since_2026_08_21"]
    for duty, uids in data["duties_since_2026_08_21"].items():
        assert [r[4] for r in listed if r[3] == duty] == uids
    assert len(listed) == len(missing) + sum(map(len, data["duties_since_2026_08_21"].values()))


# --- refusals ------------------------------------------------------------------------------------------


def test_unknown_plan_or_bad_siret_is_refused(imported):
    with pytest.raises(CommandError, match="Plan inconnu"):
        call_command("legal_indicators", plan="pas-un-plan", year=2025, stdout=io.StringIO())
    with pytest.raises(CommandError, match="SIRET invalide"):
        legal(imported, 2025, buyer=["123"])
