"""Each shape real DECP files take, read as its publisher meant it, and listed when it was not understood:
consideration words without accents, joined in one string, wrapped in a list, "Concession réservée",
"NC"; 2019 flattened keys and `_type`; bare NaN/Infinity tokens; one contract given as an object;
shared ids; numbers the JSON can hold whatever their size; nesting deeper than the format needs.
Every test reads the import's result through the register and its report, on either database."""

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from contracts import decp
from contracts.enums import Considerations, Nature
from contracts.models import Contract, DecpImport
from tests.contracts import files
from tests.contracts.files import (
    BUYER,
    ENV_CLAUSE,
    NO_ENV,
    NO_SOCIAL,
    concession,
    marche,
    marche_2019,
    write_2019,
    write_2022,
)
from tests.utils import database_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(spaser54):
    files.add_buyer(spaser54, BUYER)
    return spaser54


def run(*paths, **options) -> str:
    out = io.StringIO()
    call_command("decp_import", *map(str, paths), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def stored(contract_id: str) -> Contract:
    return Contract.objects.get(uid=f"{BUYER}{contract_id}")


def social_of(contract: Contract) -> tuple:
    return (contract.social, contract.social_clause, contract.social_criterion, contract.reserved)


def legal(plan, year: int) -> dict:
    out = io.StringIO()
    call_command("legal_indicators", plan=plan.slug, year=year, format="json", stdout=out)
    return json.loads(out.getvalue())


# --- consideration words ----------------------------------------------------------------------------------


def test_a_reserved_concession_is_social_and_reserved(plan, tmp_path):
    path = write_2022(
        tmp_path / "concessions.json",
        concessions=[concession("C-1", social=["Concession réservée"], environmental=[NO_ENV])],
    )

    run(path)

    row = stored("C-1")
    assert social_of(row) == (Considerations.STATED, False, False, True)
    assert row.social_labels == ["Concession réservée"]
    figures = legal(plan, 2025)
    assert figures["social"]["count"] == figures["reserved"]["count"] == 1
    assert figures["none"]["count"] == 0


@pytest.mark.parametrize(
    "words, expected",
    [
        (["Critere social"], (Considerations.STATED, False, True, False)),
        (["  clause SOCIALE "], (Considerations.STATED, True, False, False)),
        (["MARCHE RESERVE"], (Considerations.STATED, False, False, True)),
        ("Clause sociale, Critère social", (Considerations.STATED, True, True, False)),
        ("Clause sociale ; Marché réservé", (Considerations.STATED, True, False, True)),
        (["pas de consideration sociale"], (Considerations.NONE, False, False, False)),
    ],
)
def test_words_are_compared_without_accents_case_or_spaces_and_split(plan, tmp_path, words, expected):
    record = marche("W-1", social=None, environmental=[NO_ENV])
    record["considerationsSociales"] = {"considerationSociale": words}
    run(write_2022(tmp_path / "mots.json", marches=[record]))

    assert social_of(stored("W-1")) == expected
    assert DecpImport.objects.get().notices == []


def test_the_inner_object_wrapped_in_a_list_is_read_like_the_object(plan, tmp_path):
    record = marche("L-1", social=None, environmental=None)
    record["considerationsSociales"] = [{"considerationSociale": ["Clause sociale", "Critère social"]}]
    record["considerationsEnvironnementales"] = [{"considerationEnvironnementale": [ENV_CLAUSE]}]
    run(write_2022(tmp_path / "liste.json", marches=[record]))

    row = stored("L-1")
    assert social_of(row) == (Considerations.STATED, True, True, False)
    assert (row.environmental, row.environmental_clause) == (Considerations.STATED, True)


def test_a_word_not_understood_is_non_renseigne_and_reported(plan, tmp_path):
    """ "NC" (the national consolidation carries it) is not "no consideration": it lowers no rate."""
    marches = [marche(f"N-{n}", social=["NC"], environmental=[NO_ENV]) for n in range(12)] + [
        marche("N-both", social=["Clause sociale", "NC"], environmental=["Sans objet"]),
        marche("N-none", social=[NO_SOCIAL], environmental=[NO_ENV]),
    ]
    output = run(write_2022(tmp_path / "nc.json", marches=marches))

    assert stored("N-0").social == Considerations.UNKNOWN
    assert stored("N-both").social == Considerations.STATED  # a clause is stated: it counts
    assert stored("N-both").environmental == Considerations.UNKNOWN
    assert "valeur non reconnue « NC » (considérations sociales) : 13 contrats" in output
    assert "valeur non reconnue « Sans objet » (considérations environnementales) : 1 contrat" in output
    assert "contrat « N-3 » (acheteur 22540001600015) : valeur non reconnue « NC »" in output
    figures = legal(plan, 2025)
    assert figures["none"]["count"] == 1  # N-none only
    assert figures["unknown"]["count"] == 13
    assert figures["social"]["count"] == 1
    assert stored("N-0").published["social_words"] == ["NC"]


# --- the 2019 format ----------------------------------------------------------------------------------------


def test_a_flattened_buyer_key_is_read_like_the_nested_one(plan, tmp_path):
    flat = marche_2019("F-1")
    del flat["acheteur"]
    flat["acheteur.id"] = BUYER
    holders = marche_2019("F-2")
    del holders["titulaires"]
    holders["titulaires.0.id"] = files.HOLDER
    run(write_2019(tmp_path / "plat.json", [flat, holders]))

    assert stored("F-1").buyer_siret == BUYER
    assert stored("F-2").holders == [files.HOLDER]
    assert DecpImport.objects.get().skipped == []


def test_type_decides_the_nature_of_a_2019_record(plan, tmp_path):
    """A marché carrying an empty autoriteConcedante (as consolidated files write them) is a marché."""
    record = marche_2019("T-1", amount=75000)
    record.update(autoriteConcedante="", dateSignature="", valeurGlobale=0.0, concessionnaires="")
    run(write_2019(tmp_path / "type.json", [record]))

    row = stored("T-1")
    assert row.nature == Nature.CONTRACT and row.initial_amount == Decimal("75000.00")


# --- invalid JSON that real files carry ------------------------------------------------------------------


def test_bare_nan_and_infinity_are_missing_values(plan, tmp_path):
    text = json.dumps(
        {
            "marches": {
                "marche": [
                    marche("NaN-1", concessionnaires="@NAN@", origineUE="@INF@", tauxAvance="@NINF@"),
                    marche("NaN-2", amount="@NAN@"),
                    marche("NaN-3", notified="@NAN@"),
                ]
            }
        }
    )
    text = text.replace('"@NAN@"', "NaN").replace('"@INF@"', "Infinity").replace('"@NINF@"', "-Infinity")
    path = tmp_path / "nan.json"
    path.write_text(text, encoding="utf-8")

    output = run(path)

    assert stored("NaN-1").initial_amount == Decimal("100000.00")  # kept on its other fields
    assert stored("NaN-2").initial_amount is None  # a missing amount: an anomaly, still counted
    assert "contrat « NaN-3 » (acheteur 22540001600015) : date manquante (dateNotification)" in output
    assert "tronqué" not in output


def test_one_contract_given_as_an_object_is_one_record(plan, tmp_path):
    path = tmp_path / "objet.json"
    path.write_text(json.dumps({"marches": {"marche": marche("O-1")}}), encoding="utf-8")

    output = run(path)

    assert "1 contrats lus, 1 des acheteurs retenus : 1 nouveaux" in output
    assert stored("O-1").object == "Travaux d'entretien des routes départementales"


# --- amounts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, amount",
    [
        ("50 000,00", "50000.00"),
        ("50\u00a0000,5", "50000.50"),
        ("1.234.567,89", "1234567.89"),
        ("75000 €", "75000.00"),
    ],
)
def test_french_written_amounts_are_numbers(plan, tmp_path, written, amount):
    run(write_2022(tmp_path / "fr.json", marches=[marche("F-1", amount=written)]))

    assert stored("F-1").initial_amount == Decimal(amount)
    assert legal(plan, 2025)["contracts"]["amount"] == amount


@pytest.mark.parametrize(
    "token",
    ["1e17", "99999999999999.99", "1e400", "-1e400", "0.000000001", "9" * 5000, "1" + "0" * 30 + ".5"],
)
def test_any_number_the_json_holds_is_stored_or_refused_without_breaking_anything(
    client, scp_user, plan, tmp_path, token
):
    """Stored as an anomaly (counted in number, in no value total), readable everywhere afterwards: the
    contract list, the admin, the legal indicators and a later import."""
    path = tmp_path / "grand.json"
    text = json.dumps(
        {"marches": {"marche": [marche("G-1", amount="@AMOUNT@"), marche("G-2", amount=40000)]}}
    )
    path.write_text(text.replace('"@AMOUNT@"', token), encoding="utf-8")

    run(path)

    row = stored("G-1")
    assert row.initial_amount is None or row.initial_amount < Decimal(10) ** 12
    figures = legal(plan, 2025)
    assert figures["contracts"] == {"count": 2, "amount": "40000.00"}
    assert figures["amount_anomalies"] == [f"{BUYER}G-1"]
    client.force_login(scp_user)
    for url in (
        reverse("contracts:contract_list", args=[plan.slug]),
        reverse("contracts:contract_detail", args=[plan.slug, row.pk]),
        reverse("contracts:legal_indicators", args=[plan.slug, 2025]),
        reverse("admin:contracts_contract_changelist"),
        reverse("admin:contracts_contract_change", args=[row.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert "0 nouveaux, 0 modifiés, 2 inchangés" in run(path)  # read back and compared: unchanged


# --- dates, ids ------------------------------------------------------------------------------------------


def test_a_date_more_than_a_year_ahead_is_impossible(plan, tmp_path):
    ahead = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
    near = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    output = run(
        write_2022(
            tmp_path / "futur.json", marches=[marche("D-1", notified=ahead), marche("D-2", notified=near)]
        )
    )

    assert f"contrat « D-1 » (acheteur {BUYER}) : date impossible (dateNotification : « {ahead} »)" in output
    assert stored("D-2").notified_on.isoformat() == near


def test_a_record_with_more_modifications_than_can_be_counted_is_skipped(plan, tmp_path):
    record = marche("M-1", modifications=[{"id": n} for n in range(decp.MAX_MODIFICATIONS + 1)])
    output = run(write_2022(tmp_path / "avenants.json", marches=[record, marche("M-2")]))

    assert f"contrat « M-1 » (acheteur {BUYER}) : nombre de modifications impossible (32768)" in output
    assert list(Contract.objects.values_list("contract_id", flat=True)) == ["M-2"]


def test_two_contracts_under_one_id_stay_one_and_are_listed(plan, tmp_path):
    """Two lots of one buyer published under one id: the latest publication is kept (as before), and
    the report says SCP should look ("identifiant partagé")."""
    lot1 = marche("LOT", objet="Lot 1 : voirie", amount=120000, published="2025-03-20")
    lot2 = marche("LOT", objet="Lot 2 : signalisation", amount=80000, published="2025-03-21")
    same = marche("SAME", published="2025-03-20")
    again = marche("SAME", published="2025-04-01")  # republished unchanged: not a shared id
    output = run(write_2022(tmp_path / "lots.json", marches=[lot1, lot2, same, again]))

    assert stored("LOT").object == "Lot 2 : signalisation"
    assert "contrat « LOT » (acheteur 22540001600015) : identifiant partagé avec un autre contrat" in output
    assert "Lot 1 : voirie" in output
    assert "identifiant partagé : 1 contrat" in output
    notices = DecpImport.objects.get().notices
    assert [(n["id"], n["kind"]) for n in notices] == [("LOT", "identifiant_partage")]


def test_a_shared_id_across_imports_is_listed_too(plan, tmp_path):
    run(write_2022(tmp_path / "a.json", marches=[marche("LOT", objet="Lot 1", published="2025-03-20")]))

    output = run(
        write_2022(tmp_path / "b.json", marches=[marche("LOT", objet="Lot 2", published="2025-05-20")])
    )

    assert "identifiant partagé avec un autre contrat (fichier a.json : objet « Lot 1 »" in output


# --- hostile files ------------------------------------------------------------------------------------------


NESTED = "imbrique des listes ou des objets sur plus de 24 niveaux"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "n'est pas un fichier DECP : la clé « marches »"),
        ('{"marches": ' + "[" * 100_000 + "]" * 100_000 + "}", NESTED),
        ('{"marches": {"marche": [' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "]}}", NESTED),
        ('{"marches": {"marche": [{"id": "1", "x": ' + "[" * 30 + "]" * 30 + "}]}}", NESTED),
    ],
    ids=["brackets", "in-marches", "in-a-record", "thirty-levels"],
)
def test_nesting_deeper_than_the_format_needs_is_refused_at_once(plan, tmp_path, content, reason):
    """Refused with a French message and nothing written; its time and memory are measured in the bench
    (bench/decp.py), here only that it ends and refuses."""
    path = tmp_path / "imbrique.json"
    path.write_text(content, encoding="utf-8")
    before = database_state()

    with pytest.raises(CommandError, match=f"^« imbrique\\.json » {re.escape(reason)}") as refused:
        run(path)

    message = str(refused.value)
    assert "« imbrique.json »" in message and message.endswith("Rien n'a été écrit.")
    assert database_state() == before


def test_the_deep_file_message_names_the_nesting(tmp_path):
    path = tmp_path / "imbrique.json"
    path.write_text('{"marches": {"marche": [' + "[" * 5000 + "]" * 5000 + "]}}", encoding="utf-8")

    with pytest.raises(
        decp.DecpFormatError, match="imbrique des listes ou des objets sur plus de 24 niveaux"
    ):
        scan, records = decp.scan(str(path), {BUYER})
        list(records)


def test_a_file_that_is_not_utf8_is_refused_in_french(plan, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(
        json.dumps({"marches": {"marche": [marche("L-1", objet="Écoles")]}}, ensure_ascii=False).encode(
            "latin-1"
        )
    )

    with pytest.raises(CommandError, match="n'est pas encodé en UTF-8"):
        run(path)
    assert not Contract.objects.exists()


def test_a_long_file_keeps_only_the_buyers_records(plan, tmp_path):
    """Ten thousand other buyers' records around the buyer's, read through chunk boundaries (the
    window holds one chunk; its memory and speed on a national file are the bench's)."""
    path = tmp_path / "long.json"
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"marches": {"marche": [')
        for n in range(10_000):
            buyer = BUYER if n % 1000 == 0 else "21540395800010"
            out.write(("," if n else "") + json.dumps(marche(f"M-{n}", buyer=buyer, objet="é" * 200)))
        out.write("]}}")
    assert path.stat().st_size > 3 * decp.CHUNK

    scan, records = decp.scan(str(path), {BUYER})
    kept = list(records)

    assert (scan.read, scan.buyers_records) == (10_000, 10)
    assert [record.contract_id for record in kept] == [f"M-{n}" for n in range(0, 10_000, 1000)]
    assert all(record.object == "é" * 200 for record in kept)  # multi-byte characters across chunks
