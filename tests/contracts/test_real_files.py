"""Real DECP files, as published (tests/contracts/data/real, with their origin in its README): each one
imported, and the register's figures compared with counts this test computes itself from the raw JSON
(Python's own json module, which reads their bare NaN; none of the register's code)."""

import datetime
import io
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from contracts.models import Contract, DecpImport
from tests.contracts.files import DATA

pytestmark = pytest.mark.django_db

REAL = DATA / "real"
FILES = sorted(path.name for path in REAL.glob("*.json"))
SOCIAL = {"Clause sociale", "Critère social", "Marché réservé", "Concession réservée"}
ENVIRONMENTAL = {"Clause environnementale", "Critère environnemental"}


def raw_contracts(path: Path) -> dict[str, dict]:
    """uid -> the record kept (the latest publication, the later one read on a tie), with its buyer."""
    content = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    marches = content["marches"]
    if isinstance(marches, list):
        records = [(r, "concession" in r.get("_type", "").lower()) for r in marches]
    else:
        records = [(r, False) for r in marches.get("marche", [])]
        records += [(r, True) for r in marches.get("contrat-concession", [])]
    kept: dict[str, dict] = {}
    for record, concession in records:
        party = record.get("autoriteConcedante" if concession else "acheteur")
        buyer = party["id"] if isinstance(party, dict) else record.get("acheteur.id")
        uid = f"{buyer}{record['id']}"
        record = {**record, "_buyer": buyer, "_concession": concession}
        if uid not in kept or record["datePublicationDonnees"] >= kept[uid]["datePublicationDonnees"]:
            kept[uid] = record
    return kept


def raw_figures(kept: dict[str, dict], year: int) -> dict:
    """The year's figures the plain way: a contract counts once; its amount if between 1 € and 1 billion."""
    figures = Counter()
    amount = Decimal(0)
    for record in kept.values():
        date = record.get("dateSignature") if record["_concession"] else record.get("dateNotification")
        if not str(date).startswith(str(year)):
            continue
        figures["contracts"] += 1
        value = Decimal(str(record.get("valeurGlobale" if record["_concession"] else "montant")))
        if 1 <= value <= 1_000_000_000:
            amount += value
        social = (record.get("considerationsSociales") or {}).get("considerationSociale")
        env = (record.get("considerationsEnvironnementales") or {}).get("considerationEnvironnementale")
        figures["social"] += bool(social and SOCIAL & set(social))
        figures["environmental"] += bool(env and ENVIRONMENTAL & set(env))
        figures["unknown"] += social is None or env is None
    return {**figures, "amount": f"{amount:.2f}"}


def legal(plan, year: int, buyers: list[str]) -> dict:
    out = io.StringIO()
    call_command("legal_indicators", plan=plan.slug, year=year, buyer=buyers, format="json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("name", FILES)
def test_a_real_file_gives_the_figures_of_its_raw_records(spaser54, name):
    path = REAL / name
    kept = raw_contracts(path)
    buyers = sorted({record["_buyer"] for record in kept.values()})

    out = io.StringIO()
    call_command("decp_import", str(path), buyer=buyers, stdout=out, stderr=io.StringIO())

    log = DecpImport.objects.get()
    assert log.skipped == [], log.skipped  # every real record is a contract
    assert Contract.objects.count() == len(kept)
    assert set(Contract.objects.values_list("uid", flat=True)) == set(kept)
    years = {record.year for record in Contract.objects.all()}
    for year in years:
        data, expected = legal(spaser54, year, buyers), raw_figures(kept, year)
        assert data["contracts"] == {"count": expected["contracts"], "amount": expected["amount"]}, year
        for category in ("social", "environmental", "unknown"):
            assert data[category]["count"] == expected.get(category, 0), (year, category)
    # Importing the same file again changes nothing.
    out = io.StringIO()
    call_command("decp_import", str(path), buyer=buyers, stdout=out, stderr=io.StringIO())
    assert f"0 nouveaux, 0 modifiés, {len(kept)} inchangés" in out.getvalue()


def test_the_consolidation_test_file_with_nan_and_1e17(spaser54):
    """decp_test_2022.json, as the national consolidation's tests hold it: a bare NaN in a record, an
    amount of 1e17 (an anomaly, listed), holders in both shapes in one record."""
    path = REAL / "decp-processing-decp_test_2022.json"
    assert "NaN" in path.read_text(encoding="utf-8")
    buyers = sorted({record["_buyer"] for record in raw_contracts(path).values()})
    out = io.StringIO()

    call_command("decp_import", str(path), buyer=buyers, stdout=out, stderr=io.StringIO())

    huge = Contract.objects.get(contract_id="2020F00075")
    assert (huge.initial_amount, huge.published_amount) == (None, "1.0E+17")
    assert (
        "contrat « 2020F00075 » (acheteur 22130001500247) : montant anormal (« 1.0E+17 »)" in out.getvalue()
    )
    assert legal(spaser54, 2020, buyers)["amount_anomalies"] == ["221300015002472020F00075"]
    mixed = Contract.objects.get(contract_id="2019K1209")
    assert mixed.holders == ["39210031900038", "39210873400063", "39830819700035"]
    nan = Contract.objects.get(contract_id="202401L04")  # its concessionnaires: NaN
    assert nan.notified_on == datetime.date(2024, 2, 8)


def test_the_2019_test_file_with_a_flattened_buyer(spaser54):
    path = REAL / "decp-processing-decp_test_2019.json"
    out = io.StringIO()
    call_command("decp_import", str(path), buyer=["21500222100012"], stdout=out, stderr=io.StringIO())

    contract = Contract.objects.get()
    assert contract.uid == "215002221000122019_83935401"
    assert (contract.initial_amount, contract.current_amount) == (Decimal("77899.00"), Decimal("79237.00"))


def test_ids_shared_by_two_different_contracts_are_listed(spaser54):
    """e-marchespublics' 2019 file publishes some ids twice: each pair that differs in object or amount
    is listed for SCP, the others (the same contract published again) are not."""
    path = REAL / "e-marchespublics-2019-04-03.json"
    records = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)["marches"]
    seen: dict[str, list] = {}
    for record in records:
        seen.setdefault(f"{record['acheteur']['id']}{record['id']}", []).append(
            (record["objet"], Decimal(str(record["montant"])))
        )
    shared = {uid for uid, versions in seen.items() if len(set(versions)) > 1}
    buyers = sorted({record["acheteur"]["id"] for record in records})

    call_command("decp_import", str(path), buyer=buyers, stdout=io.StringIO(), stderr=io.StringIO())

    notices = DecpImport.objects.get().notices
    listed = {n["buyer"] + n["id"] for n in notices if n["kind"] == "identifiant_partage"}
    assert listed == shared
    assert Contract.objects.count() == len(seen)
