"""`decp_import` on real files: the official examples, and hand-built files covering each rule of the
import (both formats, concessions, republished contracts, modifications, other buyers, year
boundaries, bad records listed, a non-DECP file refused with nothing written, re-import unchanged)."""

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from contracts import services
from contracts.enums import Considerations, Nature, RecordOutcome
from contracts.models import Contract, DecpImport
from tests.contracts import files
from tests.contracts.files import (
    BUYER,
    ENV_CLAUSE,
    ENV_CRITERION,
    HOLDER,
    NO_ENV,
    NO_SOCIAL,
    OTHER_BUYER,
    RESERVED,
    SECOND_BUYER,
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
from tests.utils import database_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(spaser54):
    """SPASER 54 with its buyer's SIRET (BUYER), as SCP enters it in the admin."""
    files.add_buyer(spaser54, BUYER)
    return spaser54


def run(*paths, **options) -> str:
    """The command's output (stdout); its progress bar goes to stderr, off when not a terminal."""
    out = io.StringIO()
    call_command("decp_import", *map(str, paths), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def stored(contract_id: str, buyer: str = BUYER) -> Contract:
    return Contract.objects.get(uid=f"{buyer}{contract_id}")


def history_rows() -> int:
    return Contract.history.count()


# --- the official examples ----------------------------------------------------------------------------


def test_official_examples_import(plan):
    example_buyers = ["21750001630066", "21750001630040", "12345678901234", "12345678901250"]

    output = run(files.EXAMPLE_MODIFICATIONS, files.EXAMPLE_CONCESSIONS, buyer=example_buyers)

    # Both files hold the same two marchés (same uid, same publication date): stored once each.
    assert "6 contrats lus, 6 des acheteurs retenus : 4 nouveaux, 0 modifiés" in output
    assert Contract.objects.count() == 4
    marche = stored("TEST2022", "21750001630066")
    assert marche.nature == Nature.CONTRACT and marche.nature_label == "Marché"
    assert marche.notified_on == datetime.date(2024, 5, 15) and marche.year == 2024
    assert marche.published_on == datetime.date(2024, 5, 25)
    assert marche.initial_amount == Decimal("575000.00")
    assert marche.current_amount == Decimal("123457.87")  # its modification's montant
    assert marche.modifications == 1
    assert (marche.social, marche.social_clause, marche.social_criterion, marche.reserved) == (
        Considerations.STATED,
        True,
        True,
        False,
    )
    assert (marche.environmental, marche.environmental_clause, marche.environmental_criterion) == (
        Considerations.STATED,
        True,
        False,
    )
    assert marche.holders == ["55204599900869"]
    assert marche.cpv == "45000000-7" and marche.procedure == "Appel d'offres ouvert"
    assert marche.object == "envoi pour Json test 1"
    # Same publication date in both files: the later file read wins the tie.
    assert marche.source_file == "example_marches_concessions.json"
    conc = stored("0612202306122024", "12345678901234")
    assert conc.nature == Nature.CONCESSION and conc.nature_label == "Concession de travaux"
    assert conc.notified_on == datetime.date(2024, 4, 2)  # dateSignature
    assert conc.initial_amount == Decimal("10.30")  # valeurGlobale
    assert conc.current_amount == Decimal("25.00")
    assert conc.environmental_clause and conc.environmental_criterion
    assert conc.holders == ["38103128500491", "38103128500574"]
    assert conc.source_file == "example_marches_concessions.json"


def test_official_examples_keep_only_the_plans_buyers(plan):
    """The plan's buyer is none of the examples': everything is read, nothing kept."""
    output = run(files.EXAMPLE_CONCESSIONS)

    assert "6 contrats lus" not in output and "4 contrats lus, 0 des acheteurs retenus" in output
    assert Contract.objects.count() == 0


# --- both formats, concessions ---------------------------------------------------------------------------


def test_2022_format_considerations_and_holders(plan, tmp_path):
    path = write_2022(
        tmp_path / "decp-2025.json",
        marches=[
            marche("2025-001", social=[SOCIAL_CLAUSE, RESERVED], environmental=[ENV_CRITERION]),
            marche("2025-002", social=[NO_SOCIAL], environmental=[NO_ENV]),
            marche("2025-003", social=[SOCIAL_CRITERION], environmental=None),
        ],
    )

    run(path)

    first, second, third = stored("2025-001"), stored("2025-002"), stored("2025-003")
    assert first.social == Considerations.STATED and first.social_clause and first.reserved
    assert not first.social_criterion
    assert first.environmental == Considerations.STATED and first.environmental_criterion
    assert not first.environmental_clause
    assert (second.social, second.environmental) == (Considerations.NONE, Considerations.NONE)
    assert not (second.social_clause or second.reserved or second.environmental_clause)
    assert (third.social, third.environmental) == (Considerations.STATED, Considerations.UNKNOWN)
    assert first.holders == [HOLDER] and first.source_file == "decp-2025.json"


def test_2019_format_has_no_considerations(plan, tmp_path):
    change = {
        "objetModification": "Avenant 1",
        "dateSignatureModification": "2020-01-10",
        "datePublicationDonneesModification": "2020-01-15",
        "montant": 95000,
    }
    path = write_2019(
        tmp_path / "decp-2019.json",
        [marche_2019("2019M01", modifications=[change]), concession_2019("2019C01")],
    )

    output = run(path)

    assert "2 nouveaux" in output
    contract, conc = stored("2019M01"), stored("2019C01")
    assert contract.nature == Nature.CONTRACT and conc.nature == Nature.CONCESSION
    for row in (contract, conc):
        assert (row.social, row.environmental) == (Considerations.UNKNOWN, Considerations.UNKNOWN)
        assert not (row.social_clause or row.reserved or row.environmental_clause)
        assert row.holders == [HOLDER]
    assert contract.notified_on == datetime.date(2019, 9, 16)
    assert (contract.initial_amount, contract.current_amount) == (Decimal("80000.00"), Decimal("95000.00"))
    assert conc.notified_on == datetime.date(2019, 5, 6)  # dateSignature
    assert conc.initial_amount == conc.current_amount == Decimal("1200000.00")  # valeurGlobale


def test_concessions_of_the_2022_format(plan, tmp_path):
    path = write_2022(
        tmp_path / "concessions.json",
        concessions=[
            concession(
                "DSP-2025-01",
                signed="2025-06-02+02:00",
                value="250000.50",
                social=[SOCIAL_CLAUSE],
                environmental=[ENV_CLAUSE, ENV_CRITERION],
                modifications=[modification(1, value=300000, published="2025-10-01")],
            ),
            concession("DSP-2025-02", authority=OTHER_BUYER),
        ],
    )

    output = run(path)

    assert "2 contrats lus, 1 des acheteurs retenus : 1 nouveaux" in output
    row = stored("DSP-2025-01")
    assert row.nature == Nature.CONCESSION and row.buyer_siret == BUYER
    assert row.notified_on == datetime.date(2025, 6, 2)
    assert (row.initial_amount, row.current_amount, row.modifications) == (
        Decimal("250000.50"),
        Decimal("300000.00"),
        1,
    )
    assert row.social_clause and row.environmental_clause and row.environmental_criterion
    assert not Contract.objects.filter(buyer_siret=OTHER_BUYER).exists()


def test_a_file_with_both_arrays_and_a_utf8_bom(plan, tmp_path):
    """Files saved by some office tools start with a byte order mark: still DECP."""
    path = write_2022(tmp_path / "bom.json", marches=[marche("B-1")], concessions=[concession("B-2")])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    run(path)

    assert set(Contract.objects.values_list("contract_id", flat=True)) == {"B-1", "B-2"}


# --- republished contracts and modifications -----------------------------------------------------------


FIRST = {"published": "2025-03-20", "amount": 100000, "objet": "Entretien des routes (lot 1)"}
LATER = {
    "published": "2025-09-15",
    "amount": 100000,
    "objet": "Entretien des routes (lot 1)",
    "modifications": [modification(1, amount=130000, published="2025-09-15")],
}


@pytest.mark.parametrize("order", ["first-then-later", "later-then-first"])
def test_republished_within_a_file_latest_publication_wins(plan, tmp_path, order):
    records = [marche("R-1", **FIRST), marche("R-1", **LATER)]
    if order == "later-then-first":
        records.reverse()
    path = write_2022(tmp_path / "republie.json", marches=records)

    output = run(path)

    assert "2 contrats lus, 2 des acheteurs retenus : 1 nouveaux" in output
    row = stored("R-1")
    assert Contract.objects.count() == 1
    assert row.published_on == datetime.date(2025, 9, 15)
    assert (row.initial_amount, row.current_amount, row.modifications) == (
        Decimal("100000.00"),
        Decimal("130000.00"),
        1,
    )


@pytest.mark.parametrize("order", ["first-then-later", "later-then-first"])
def test_republished_across_files_of_one_import(plan, tmp_path, order):
    first = write_2022(tmp_path / "janvier.json", marches=[marche("R-2", **FIRST)])
    later = write_2022(tmp_path / "octobre.json", marches=[marche("R-2", **LATER)])
    paths = [first, later] if order == "first-then-later" else [later, first]

    run(*paths)

    row = stored("R-2")
    assert row.current_amount == Decimal("130000.00") and row.source_file == "octobre.json"
    assert history_rows() == 1


def test_republished_across_imports_an_older_file_changes_nothing(plan, tmp_path):
    later = write_2022(tmp_path / "octobre.json", marches=[marche("R-3", **LATER)])
    first = write_2022(tmp_path / "janvier.json", marches=[marche("R-3", **FIRST)])
    run(later)
    before = history_rows()

    output = run(first)

    assert "0 nouveaux, 0 modifiés, 1 inchangés" in output
    assert stored("R-3").current_amount == Decimal("130000.00")
    assert history_rows() == before


def test_republished_across_imports_a_later_file_updates_the_current_amount_only(plan, tmp_path):
    first = write_2022(tmp_path / "janvier.json", marches=[marche("R-4", **FIRST)])
    later = write_2022(tmp_path / "octobre.json", marches=[marche("R-4", **LATER)])
    run(first)
    assert stored("R-4").current_amount == Decimal("100000.00")

    output = run(later)

    assert "0 nouveaux, 1 modifiés, 0 inchangés" in output
    row = stored("R-4")
    assert (row.initial_amount, row.current_amount) == (Decimal("100000.00"), Decimal("130000.00"))
    assert list(row.history.values_list("history_type", flat=True)) == ["~", "+"]


def test_modifications_latest_by_date_whatever_their_order(plan, tmp_path):
    changes = [
        modification(2, amount=150000, published="2025-11-02"),
        modification(1, amount=120000, published="2025-05-10"),
        modification(3, published="2025-12-01"),  # a change of duration only: no amount
    ]
    path = write_2022(
        tmp_path / "avenants.json", marches=[marche("M-1", amount=100000, modifications=changes)]
    )

    run(path)

    row = stored("M-1")
    assert (row.initial_amount, row.current_amount, row.modifications) == (
        Decimal("100000.00"),
        Decimal("150000.00"),
        3,
    )


# --- buyers ---------------------------------------------------------------------------------------------


def test_other_buyers_are_read_but_not_kept(plan, tmp_path):
    path = write_2022(
        tmp_path / "national.json",
        marches=[
            marche("A-1"),
            marche("X-1", buyer=OTHER_BUYER),
            marche("X-2", buyer=OTHER_BUYER, amount=-1),
        ],
        concessions=[concession("X-3", authority=OTHER_BUYER)],
    )

    output = run(path)

    assert "4 contrats lus, 1 des acheteurs retenus : 1 nouveaux" in output
    assert list(Contract.objects.values_list("buyer_siret", flat=True)) == [BUYER]
    # Another buyer's bad record is none of this register's business: not listed.
    assert "X-2" not in output
    assert DecpImport.objects.get().buyers == [BUYER]


def test_a_siret_written_with_spaces_or_as_a_number_is_still_the_buyers(plan, tmp_path):
    path = write_2022(
        tmp_path / "siret.json",
        marches=[
            marche("S-1", acheteur={"id": "225 400 016 00015"}),
            marche("S-2", acheteur={"id": int(BUYER)}),
        ],
        concessions=[concession("S-3", autoriteConcedante={"id": f" {BUYER} "})],
    )

    run(path)

    assert sorted(Contract.objects.values_list("uid", flat=True)) == [f"{BUYER}S-{n}" for n in (1, 2, 3)]


def test_buyer_option_overrides_the_plans_buyers(plan, tmp_path):
    path = write_2022(
        tmp_path / "national.json",
        marches=[marche("A-1"), marche("S-1", buyer=SECOND_BUYER), marche("X-1", buyer=OTHER_BUYER)],
    )

    run(path, buyer=[SECOND_BUYER, OTHER_BUYER])

    assert set(Contract.objects.values_list("buyer_siret", flat=True)) == {SECOND_BUYER, OTHER_BUYER}
    assert DecpImport.objects.get().buyers == sorted([SECOND_BUYER, OTHER_BUYER])


def test_plan_option_takes_that_plans_buyers(plan, tmp_path):
    other_plan = files.other_plan_with_buyer(OTHER_BUYER)
    path = write_2022(tmp_path / "national.json", marches=[marche("A-1"), marche("X-1", buyer=OTHER_BUYER)])

    run(path, plan=other_plan.slug)

    assert list(Contract.objects.values_list("buyer_siret", flat=True)) == [OTHER_BUYER]


def test_without_buyers_the_command_says_where_to_enter_them(spaser54, tmp_path):
    path = write_2022(tmp_path / "decp.json", marches=[marche("A-1")])

    with pytest.raises(CommandError, match="Aucun acheteur"):
        run(path)
    with pytest.raises(CommandError, match="SIRET invalide : 1234"):
        run(path, buyer=["1234"])
    with pytest.raises(CommandError, match="Plan inconnu"):
        run(path, plan="pas-un-plan")
    assert Contract.objects.count() == 0


# --- year boundaries -------------------------------------------------------------------------------------


def test_dates_with_an_offset_keep_their_written_day(plan, tmp_path):
    path = write_2022(
        tmp_path / "bornes.json",
        marches=[
            marche("Y-1", notified="2025-12-31+01:00"),
            marche("Y-2", notified="2026-01-01+01:00"),
            marche("Y-3", notified="2025-01-01-05:00"),
            marche("Y-4", notified="2025-12-31T23:30:00+01:00"),
        ],
        concessions=[concession("Y-5", signed="2025-12-31+01:00")],
    )

    run(path)

    years = dict(Contract.objects.values_list("contract_id", "year"))
    assert years == {"Y-1": 2025, "Y-2": 2026, "Y-3": 2025, "Y-4": 2025, "Y-5": 2025}
    assert stored("Y-1").notified_on == datetime.date(2025, 12, 31)
    assert stored("Y-2").notified_on == datetime.date(2026, 1, 1)
    assert stored("Y-5").notified_on == datetime.date(2025, 12, 31)


# --- bad records ----------------------------------------------------------------------------------------

BAD = [
    # (record, id as listed, reason as listed): nothing a contract can be counted by
    (marche(""), "(sans identifiant)", "identifiant (id) manquant"),
    (marche("B-date", notified=None), "B-date", "date manquante (dateNotification)"),
    (
        marche("B-text", notified="pas une date"),
        "B-text",
        "date illisible (dateNotification : « pas une date »)",
    ),
    (
        marche("B-feb30", notified="2025-02-30"),
        "B-feb30",
        "date illisible (dateNotification : « 2025-02-30 »)",
    ),
    (
        marche("B-long", notified="2025-01-015"),
        "B-long",
        "date illisible (dateNotification : « 2025-01-015 »)",
    ),
    (
        marche("B-french", notified="31/12/2025"),
        "B-french",
        "date illisible (dateNotification : « 31/12/2025 »)",
    ),
    (
        marche("B-0218", notified="0218-10-29"),
        "B-0218",
        "date impossible (dateNotification : « 0218-10-29 »)",
    ),
    (
        marche("B-1999", notified="1999-12-31"),
        "B-1999",
        "date impossible (dateNotification : « 1999-12-31 »)",
    ),
    (
        marche("B-9999", notified="9999-12-31"),
        "B-9999",
        "date impossible (dateNotification : « 9999-12-31 »)",
    ),
    (marche("B-" + "9" * 70), "B-" + "9" * 62, "identifiant trop long (72 caractères ; 64 au plus)"),
    (concession("B-sign", signed=None), "B-sign", "date manquante (dateSignature)"),
]

# Amounts that are not a contract's value: the contract counts in number, its amount in no total.
ANOMALIES = [
    # (record, amount stored, amount as published)
    (marche("A-text", amount="cent mille"), None, "cent mille"),
    (marche("A-bool", amount=True), None, "True"),
    (marche("A-neg", amount=-5000), Decimal("-5000.00"), ""),
    (marche("A-none", amount=None), None, "(absent)"),
    (marche("A-zero", amount=0.5), Decimal("0.50"), ""),
    (marche("A-huge", amount=1e17), None, "1E+17"),
    (marche("A-ceil", amount="1000000000.01"), Decimal("1000000000.01"), "1000000000.01"),
    (concession("A-conc", value=-1), Decimal("-1.00"), ""),
]


def test_bad_records_are_skipped_and_listed_with_id_and_reason(plan, tmp_path):
    good = [marche("G-1"), concession("G-2")]
    marches = [r for r, _, _ in BAD if "acheteur" in r] + good[:1]
    concessions = [r for r, _, _ in BAD if "autoriteConcedante" in r] + good[1:]
    path = write_2022(tmp_path / "mauvais.json", marches=marches, concessions=concessions)

    output = run(path)

    assert set(Contract.objects.values_list("contract_id", flat=True)) == {"G-1", "G-2"}
    expected = [{"file": "mauvais.json", "id": i, "buyer": BUYER, "reason": r} for _, i, r in BAD]
    log = DecpImport.objects.get()
    assert sorted(log.skipped, key=lambda s: s["id"]) == sorted(expected, key=lambda s: s["id"])
    assert (log.new, log.read, log.kept) == (2, len(BAD) + 2, len(BAD) + 2)
    for _, contract_id, reason in BAD:
        assert f"contrat « {contract_id} » (acheteur {BUYER}) : {reason}." in output
    assert f"{len(BAD)} ignorés (non conformes)" in output


def test_anomalous_amounts_are_kept_counted_and_listed(plan, tmp_path):
    path = write_2022(
        tmp_path / "montants.json",
        marches=[r for r, _, _ in ANOMALIES if "acheteur" in r] + [marche("G-1", amount="50 000,00")],
        concessions=[r for r, _, _ in ANOMALIES if "autoriteConcedante" in r],
    )

    output = run(path)

    for record, amount, published in ANOMALIES:
        row = stored(record["id"])
        assert (row.initial_amount, row.published_amount) == (amount, published), record["id"]
        assert f"contrat « {record['id']} » (acheteur {BUYER}) : montant anormal" in output
    french = stored("G-1")  # written the French way: a number, not an anomaly
    assert (french.initial_amount, french.published_amount) == (Decimal("50000.00"), "50 000,00")
    assert f"montant anormal : {len(ANOMALIES)} contrats" in output
    assert f"0 ignorés (non conformes), {len(ANOMALIES)} à vérifier" in output
    log = DecpImport.objects.get()
    assert sorted(n["id"] for n in log.notices) == sorted(r["id"] for r, _, _ in ANOMALIES)
    assert {n["kind"] for n in log.notices} == {"montant_anormal"}
    figures = json.loads(legal_json(plan, 2025))
    assert figures["contracts"]["count"] == len(ANOMALIES) + 1
    assert figures["contracts"]["amount"] == "50000.00"  # the anomalies are in no value total
    assert sorted(figures["amount_anomalies"]) == sorted(f"{BUYER}{r['id']}" for r, _, _ in ANOMALIES)


def legal_json(plan, year: int) -> str:
    out = io.StringIO()
    call_command("legal_indicators", plan=plan.slug, year=year, format="json", stdout=out)
    return out.getvalue()


def test_a_modification_with_a_bad_amount_is_passed_over_and_listed(plan, tmp_path):
    change = modification(1, amount="beaucoup", published="2025-06-01")
    path = write_2022(tmp_path / "avenant.json", marches=[marche("B-mod", modifications=[change])])

    output = run(path)

    row = stored("B-mod")
    assert (row.initial_amount, row.current_amount, row.modifications) == (
        Decimal("100000.00"),
        Decimal("100000.00"),
        1,
    )
    assert "montant d'une modification illisible (« beaucoup »)" in output
    assert (
        DecpImport.objects.get().notices[0]["reason"] == "montant d'une modification illisible (« beaucoup »)"
    )


# --- a file that is not DECP -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(files.NOT_DECP))
def test_a_non_decp_file_is_refused_and_nothing_written(plan, tmp_path, name):
    bad = tmp_path / name
    bad.write_bytes(files.NOT_DECP[name])
    before = database_state()

    with pytest.raises(CommandError, match=rf"^« {re.escape(name)} » .* Rien n'a été écrit\.$") as refused:
        run(bad)

    message = str(refused.value)
    assert f"« {name} »" in message and message.endswith("Rien n'a été écrit.")
    assert "error" not in message.lower()  # French only: no parser jargon
    assert database_state() == before


@pytest.mark.parametrize("name", list(files.NOT_DECP))
def test_a_non_decp_second_file_refuses_the_whole_import(plan, tmp_path, name):
    good = write_2022(tmp_path / "bon.json", marches=[marche("G-1"), marche("G-2")])
    bad = tmp_path / name
    bad.write_bytes(files.NOT_DECP[name])
    before = database_state()

    with pytest.raises(CommandError, match=f"« {name} »"):
        run(good, bad)

    assert database_state() == before


def test_a_file_cut_after_the_buyers_records_writes_nothing(plan, tmp_path):
    """The buyer's records come before the break: they were read, and still nothing is written."""
    whole = write_2022(tmp_path / "coupe.json", marches=[marche(f"C-{n}") for n in range(5)])
    text = whole.read_text(encoding="utf-8")
    whole.write_text(text[: text.rindex('"id": "C-4"')], encoding="utf-8")
    before = database_state()

    with pytest.raises(CommandError, match="au-delà des 4 premiers contrats lus"):
        run(whole)

    assert database_state() == before


def test_a_missing_file_is_refused(plan, tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run(tmp_path / "absent.json")


# --- importing again, dry run ----------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(plan, tmp_path):
    path = write_2022(
        tmp_path / "decp.json",
        marches=[marche("A-1", modifications=[modification(1, amount=120000, published="2025-07-01")])],
        concessions=[concession("A-2")],
    )
    run(path)
    contracts = list(Contract.objects.order_by("uid").values())
    history = history_rows()

    output = run(path)

    assert "2 contrats lus, 2 des acheteurs retenus : 0 nouveaux, 0 modifiés, 2 inchangés" in output
    assert list(Contract.objects.order_by("uid").values()) == contracts
    assert history_rows() == history
    assert DecpImport.objects.count() == 2  # each import is logged


def test_dry_run_writes_nothing(plan, tmp_path):
    path = write_2022(tmp_path / "decp.json", marches=[marche("A-1")])
    before = database_state()

    output = run(path, dry_run=True)

    assert output.startswith("Simulation (rien n'a été écrit) : 1 contrats lus")
    assert database_state() == before


def test_the_output_ends_with_counts_and_elapsed_time(plan, tmp_path):
    path = write_2022(tmp_path / "decp.json", marches=[marche("A-1"), marche("A-2", notified="x")])

    output = run(path)

    last = output.strip().splitlines()
    assert any(line.startswith("Import terminé : 2 contrats lus") and " s." in line for line in last)
    assert "1 contrat(s) non conforme(s) ignoré(s)." in output
    log = DecpImport.objects.get()
    assert log.files == ["decp.json"] and log.seconds >= 0 and log.user is None


def test_the_service_reports_what_would_change(plan, tmp_path):
    """The admin's preview: each changed contract with the fields that change, before and after."""
    run(write_2022(tmp_path / "v1.json", marches=[marche("A-1", **FIRST), marche("A-2")]))
    path = write_2022(tmp_path / "v2.json", marches=[marche("A-1", **LATER), marche("A-2"), marche("A-3")])

    report = services.decp_apply([str(path)], buyers=[BUYER], dry_run=True)

    assert [r.contract_id for r in report.outcomes[RecordOutcome.NEW]] == ["A-3"]
    assert [r.contract_id for r in report.outcomes[RecordOutcome.CHANGED]] == ["A-1"]
    changes = {name: (old, new) for name, old, new in report.changes[f"{BUYER}A-1"]}
    assert changes["current_amount"] == (Decimal("100000.00"), Decimal("130000.00"))
    assert changes["published_on"] == (datetime.date(2025, 3, 20), datetime.date(2025, 9, 15))
    assert "initial_amount" not in changes
    assert report.log is None and Contract.objects.count() == 2


def test_json_is_read_as_decimals_not_floats(plan, tmp_path):
    path = tmp_path / "decimaux.json"
    record = marche("D-1", amount=0)
    text = json.dumps({"marches": {"marche": [record]}}).replace('"montant": 0', '"montant": 123456789.105')
    path.write_text(text, encoding="utf-8")

    run(path)

    assert stored("D-1").initial_amount == Decimal("123456789.11")  # an exact .105, rounded half up
