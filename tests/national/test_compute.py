"""decp_national: every buyer's figures per year, equal to counts this test makes by hand from the
files, each contract once (the register's version), anomalous amounts in number only; all or nothing."""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from contracts.models import Threshold
from national import services
from national.models import NationalDataset, NationalFigure
from tests.national.data import COMMUNE, DEPARTEMENT, OTHER_DEPARTEMENT, national_2019, national_2022

pytestmark = pytest.mark.django_db
DATE = datetime.date(2026, 11, 1)


def compute(*paths, **options) -> NationalDataset:
    return services.national_compute(
        paths=[str(p) for p in paths], label="DECP de test", source_date=DATE, **options
    )


def figure(dataset, siret, year) -> NationalFigure:
    return NationalFigure.objects.get(dataset=dataset, buyer_siret=siret, year=year)


def test_each_buyer_year_counts_every_contract_once_with_the_register_rules(tmp_path):
    dataset = compute(national_2022(tmp_path), national_2019(tmp_path))

    mine = figure(dataset, DEPARTEMENT, 2025)
    # D1 (its later publication: no social, environmental, 150 000), D2 (reserved, 2 billion: an
    # anomaly), D3 (0.50 €: an anomaly), D4 (no fields: unknown, no amount), K1 (social, 300 000).
    assert mine.contracts == 5
    assert mine.social == 2  # D2 reserved, K1
    assert mine.environmental == 1  # D1
    assert mine.tally["contracts"] == {"count": 5, "amount": "450000.00"}
    assert mine.tally["social"] == {"count": 2, "amount": "300000.00"}
    assert mine.tally["reserved"] == {"count": 1, "amount": "0.00"}
    assert mine.tally["environmental"] == {"count": 1, "amount": "150000.00"}
    assert mine.tally["both"] == {"count": 0, "amount": "0.00"}
    assert mine.tally["none"] == {"count": 1, "amount": "0.00"}  # D3
    assert mine.tally["unknown"] == {"count": 1, "amount": "0.00"}  # D4
    assert figure(dataset, DEPARTEMENT, 2024).social == 1
    assert figure(dataset, DEPARTEMENT, 2019).tally["contracts"] == {"count": 1, "amount": "90000.00"}
    assert figure(dataset, COMMUNE, 2020).tally["unknown"]["count"] == 1
    other = figure(dataset, OTHER_DEPARTEMENT, 2025)
    assert (other.contracts, other.social, other.environmental, other.buyer_siren) == (2, 2, 1, "228800017")
    assert dataset.read == 18 and dataset.counted == 13
    assert dataset.buyers == 5
    assert dataset.skipped_count == 1 and dataset.skipped[0]["id"] == "BAD"
    assert dataset.no_buyer == 1  # "123"
    assert not NationalDataset.history.filter(published=True).exists()


def test_the_ceiling_scp_sets_decides_what_is_an_anomaly(tmp_path):
    Threshold.objects.create(
        kind="plafond", amount=100000, valid_from=datetime.date(2020, 1, 1), source="Test"
    )

    dataset = compute(national_2022(tmp_path))

    assert figure(dataset, DEPARTEMENT, 2025).tally["contracts"] == {"count": 5, "amount": "0.00"}


def test_a_file_that_is_not_decp_is_refused_and_nothing_is_written(tmp_path):
    good = national_2022(tmp_path)
    bad = tmp_path / "tableau.json"
    bad.write_text('[{"id": "1"}]', encoding="utf-8")

    with pytest.raises(CommandError, match="n'est pas un fichier DECP.*Rien n'a été écrit"):
        call_command("decp_national", str(good), str(bad), stdout=io.StringIO())

    assert not NationalDataset.objects.exists() and not NationalFigure.objects.exists()


def test_a_file_broken_further_on_writes_nothing(tmp_path):
    path = national_2022(tmp_path)
    path.write_text(path.read_text(encoding="utf-8")[:-200], encoding="utf-8")

    with pytest.raises(CommandError, match="tronqué ou corrompu"):
        call_command("decp_national", str(path), stdout=io.StringIO())

    assert not NationalFigure.objects.exists()


def test_only_scp_computes(tmp_path, committee_user):
    with pytest.raises(PermissionDenied, match="Seul le service commande publique calcule"):
        compute(national_2022(tmp_path), user=committee_user)


def test_the_skipped_list_is_capped_but_every_one_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "SKIPPED_KEPT", 1)
    path = national_2022(tmp_path)
    content = json.loads(path.read_text(encoding="utf-8"))
    content["marches"]["marche"].append({**content["marches"]["marche"][7], "id": "BAD2"})
    path.write_text(json.dumps(content), encoding="utf-8")

    dataset = compute(path)

    assert dataset.skipped_count == 2 and len(dataset.skipped) == 1


def test_the_command_reports_and_stores(tmp_path):
    out = io.StringIO()

    call_command(
        "decp_national", str(national_2022(tmp_path)), "--date", "2026-10-01", "--label", "Test", stdout=out
    )

    assert "Ignoré : decp-national.json, contrat « BAD »" in out.getvalue()
    assert "Calcul national terminé : 15 contrats lus" in out.getvalue()
    dataset = NationalDataset.objects.get()
    assert (dataset.label, dataset.source_date) == ("Test", datetime.date(2026, 10, 1))
