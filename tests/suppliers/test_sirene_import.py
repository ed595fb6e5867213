"""`sirene_import` on extracts in the real layout: only the wanted companies kept, their categories,
commune and département read; zipped or not; a file that is not a SIRENE stock refused with nothing
written, a bad second file undoing the first; a record split over lines by a quoted newline read."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from actions.models import Buyer
from suppliers import services
from suppliers.enums import SourceKind
from suppliers.models import Establishment, LegalUnit, SupplierImport
from tests.suppliers import files
from tests.suppliers.files import HOLDER, OTHER, OVERSEAS, SECOND
from tests.utils import database_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def wanted(spaser54):
    """The companies the app wants: here, as the plan's buyers (suppliers.wanted reads them)."""
    for siret in (HOLDER, SECOND, OVERSEAS):
        Buyer.objects.create(plan=spaser54, siret=siret, name=f"Titulaire {siret}")


def run(*paths, **options) -> str:
    out = io.StringIO()
    call_command("sirene_import", *map(str, paths), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.mark.parametrize("zipped", [False, True])
def test_units_keep_only_the_wanted_with_their_categories(wanted, tmp_path, zipped):
    name = "StockUniteLegale_utf8.zip" if zipped else "StockUniteLegale_utf8.csv"
    path = files.units_file(tmp_path / name, files.standard_units(), zipped=zipped)
    log = services.sirene_apply(paths=[str(path)], source_date=datetime.date(2025, 11, 1))
    assert sorted(LegalUnit.objects.values_list("siren", flat=True)) == sorted(
        s[:9] for s in (HOLDER, SECOND, OVERSEAS)
    )
    pme = LegalUnit.objects.get(siren=HOLDER[:9])
    assert (pme.enterprise_category, pme.category_year, pme.headcount_band, pme.headcount_year) == (
        "PME",
        "2022",
        "12",
        "2023",
    )
    assert (pme.ess, pme.legal_category, pme.closed, pme.name) == (
        True,
        "5458",
        False,
        f"SOCIETE {HOLDER[:9]}",
    )
    ge = LegalUnit.objects.get(siren=SECOND[:9])
    assert (ge.enterprise_category, ge.ess, ge.closed) == ("GE", None, True)
    person = LegalUnit.objects.get(siren=OVERSEAS[:9])  # partly diffused: "[ND]" is no value
    assert (person.name, person.headcount_band, person.ess) == ("MARIE PAYET", "NN", False)
    assert (log.read, log.kept, log.skipped, log.source) == (4, 3, [], SourceKind.SIRENE_UNITS)
    assert pme.source_date == datetime.date(2025, 11, 1) and pme.import_run == log


@pytest.mark.parametrize("zipped", [False, True])
def test_establishments_keep_the_wanted_sirets_with_commune_and_departement(wanted, tmp_path, zipped):
    name = "StockEtablissement_utf8_2025-10-01" + (".zip" if zipped else ".csv")
    path = files.establishments_file(tmp_path / name, files.standard_establishments(), zipped=zipped)
    log = services.sirene_apply(paths=[str(path)])
    kept = {e.siret: e for e in Establishment.objects.all()}
    assert sorted(kept) == sorted([HOLDER, SECOND, OVERSEAS])  # not the holder's other establishment
    nancy, ajaccio, reunion = kept[HOLDER], kept[SECOND], kept[OVERSEAS]
    assert (nancy.commune, nancy.commune_name, nancy.postal_code, nancy.departement) == (
        "54395",
        "NANCY",
        "54000",
        "54",
    )
    assert (nancy.closed, nancy.is_head_office, nancy.siren) == (False, True, HOLDER[:9])
    assert (ajaccio.departement, ajaccio.closed) == ("2A", True)
    assert reunion.departement == "974"
    # The date in the file's name, for the rows and the log.
    assert log.source_date == nancy.source_date == datetime.date(2025, 10, 1)
    assert (log.read, log.kept) == (5, 3)


def test_both_stocks_in_one_call_and_a_second_import_updates(wanted, tmp_path):
    units = files.units_file(tmp_path / "StockUniteLegale_utf8.csv", files.standard_units())
    places = files.establishments_file(
        tmp_path / "StockEtablissement_utf8.zip", files.standard_establishments()
    )
    log = services.sirene_apply(paths=[str(units), str(places)], source_date=datetime.date(2025, 9, 1))
    assert log.source == SourceKind.SIRENE and log.files == [units.name, places.name]
    assert (LegalUnit.objects.count(), Establishment.objects.count()) == (3, 3)
    moved = files.establishment(HOLDER, codeCommuneEtablissement="57463", libelleCommuneEtablissement="METZ")
    again = files.establishments_file(tmp_path / "StockEtablissement_utf8_2025-12-01.csv", [moved])
    services.sirene_apply(paths=[str(again)])
    nancy = Establishment.objects.get(siret=HOLDER)
    assert (nancy.departement, nancy.commune_name, nancy.source_date) == (
        "57",
        "METZ",
        datetime.date(2025, 12, 1),
    )
    assert Establishment.objects.count() == 3 and SupplierImport.objects.count() == 2


def test_a_record_split_over_lines_by_a_quoted_newline_is_read(wanted, tmp_path):
    rows = files.standard_units()
    rows[0]["denominationUniteLegale"] = 'ATELIER "LE LIEN"\nET COMPAGNIE'
    rows.insert(1, files.unit("111111111", denominationUniteLegale="NON\n" + HOLDER[:9] + ",SUITE"))
    path = files.units_file(tmp_path / "StockUniteLegale_utf8.csv", sorted(rows, key=lambda r: r["siren"]))
    log = services.sirene_apply(paths=[str(path)])
    assert LegalUnit.objects.get(siren=HOLDER[:9]).name == 'ATELIER "LE LIEN"\nET COMPAGNIE'
    # The continuation line that starts with a wanted SIREN is part of another record, not one.
    assert (log.read, log.kept, log.skipped) == (5, 3, [])


def test_unreadable_wanted_rows_are_listed(wanted, tmp_path):
    rows = files.standard_establishments()
    rows[1]["siret"] = HOLDER[:9] + "0001X"  # a wanted SIREN's line, its SIRET unreadable
    text = files.stock_text(files.ESTABLISHMENT_COLUMNS, rows) + f"{SECOND[:9]},00027,{SECOND},O\n"
    path = tmp_path / "StockEtablissement_utf8.csv"
    path.write_text(text, encoding="utf-8")
    log = services.sirene_apply(paths=[str(path)])
    reasons = [(s["line"], s["reason"]) for s in log.skipped]
    assert reasons == [
        (3, "SIRET illisible « 1234567890001X » (14 chiffres attendus)"),
        (7, f"4 colonnes au lieu des {len(files.ESTABLISHMENT_COLUMNS)} de l'en-tête : ligne illisible"),
    ]
    assert sorted(Establishment.objects.values_list("siret", flat=True)) == sorted([SECOND, OVERSEAS])


def not_sirene(tmp_path):
    """Files of other kinds: a DECP file, a CSV of other columns, a binary, Latin-1, two CSVs zipped."""
    decp = tmp_path / "decp.json"
    decp.write_text(json.dumps({"marches": {"marche": []}}), encoding="utf-8")
    other = tmp_path / "liste.csv"
    other.write_text("siren,nom,ville\n123456789,X,Nancy\n", encoding="utf-8")
    binary = tmp_path / "image.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    latin = tmp_path / "StockUniteLegale_latin1.csv"
    latin.write_bytes(("é" + files.stock_text(files.UNIT_COLUMNS, files.standard_units())).encode("latin-1"))
    double = tmp_path / "deux.zip"
    with zipfile.ZipFile(double, "w") as archive:
        archive.writestr("a.csv", files.stock_text(files.UNIT_COLUMNS, []))
        archive.writestr("b.csv", files.stock_text(files.UNIT_COLUMNS, []))
    return [decp, other, binary, latin, double]


def test_a_file_that_is_not_sirene_is_refused_nothing_written(wanted, tmp_path):
    good = files.units_file(tmp_path / "StockUniteLegale_utf8.csv", files.standard_units())
    before = database_state()
    for bad in not_sirene(tmp_path):
        with pytest.raises(CommandError, match=f"« {bad.name} » n'est pas un fichier stock SIRENE.*Rien n'a"):
            run(good, bad)
    assert database_state() == before
    assert not LegalUnit.objects.exists() and not SupplierImport.objects.exists()


def test_parquet_is_named_and_nothing_wanted_is_refused(spaser54, tmp_path):
    parquet = tmp_path / "StockUniteLegale_utf8.parquet"
    parquet.write_bytes(b"PAR1\x15\x04\x15\x10" + bytes(64))
    units = files.units_file(tmp_path / "StockUniteLegale_utf8.csv", files.standard_units())
    Buyer.objects.all().delete()  # no buyer, no holder (no provider registered in this app's tests)
    with pytest.raises(CommandError, match="Aucune entreprise à rechercher dans SIRENE"):
        run(units)
    Buyer.objects.create(plan=spaser54, siret=HOLDER, name="Titulaire")
    with pytest.raises(CommandError, match="« StockUniteLegale_utf8.parquet » est un fichier Parquet"):
        run(units, parquet)
    assert not SupplierImport.objects.exists()


def test_a_second_file_bad_half_way_undoes_the_first(wanted, tmp_path):
    good = files.units_file(tmp_path / "StockUniteLegale_utf8.csv", files.standard_units())
    # The right header, then a wanted line that is not UTF-8: found only once the first is written.
    text = files.stock_text(files.ESTABLISHMENT_COLUMNS, files.standard_establishments()).encode("utf-8")
    bad = tmp_path / "StockEtablissement_utf8.csv"
    bad.write_bytes(text + HOLDER[:9].encode() + b",00099," + HOLDER[:9].encode() + b"00099,\xe9t\xe9\n")
    with pytest.raises(
        services.SireneFormatError, match="n'est pas un fichier stock SIRENE en UTF-8 \\(ligne 7"
    ):
        services.sirene_apply(paths=[str(good), str(bad)])
    assert not LegalUnit.objects.exists() and not Establishment.objects.exists()
    assert not SupplierImport.objects.exists()


def test_a_line_without_end_is_refused(wanted, tmp_path):
    path = tmp_path / "StockUniteLegale_utf8.csv"
    path.write_text(files.stock_text(files.UNIT_COLUMNS, []) + "1" * 3_000_000, encoding="utf-8")
    with pytest.raises(services.SireneFormatError, match="la ligne 2 dépasse 1024 Ko"):
        services.sirene_apply(paths=[str(path)])


def test_an_unclosed_quote_is_refused(wanted, tmp_path):
    text = files.stock_text(files.UNIT_COLUMNS, files.standard_units()) + f'{HOLDER[:9]},"jamais fermé\n'
    path = tmp_path / "StockUniteLegale_utf8.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(services.SireneFormatError, match="guillemet non fermé à la ligne 6"):
        services.sirene_apply(paths=[str(path)])
    assert not LegalUnit.objects.exists()


def test_the_command_prints_a_french_summary(wanted, tmp_path):
    rows = files.standard_units()
    rows.insert(0, files.unit("12345678"))  # not nine digits: never a wanted SIREN, not listed
    rows[1]["siren"] = HOLDER[:9] + "Z"  # a wanted SIREN's line, the SIREN unreadable
    path = files.units_file(tmp_path / "StockUniteLegale_utf8.csv", rows)
    output = run(path, date="2025-11-01")
    assert f"Ignorée : StockUniteLegale_utf8.csv, ligne 3 ({HOLDER[:9]}Z) : SIREN illisible" in output
    assert (
        "SIRENE – unités légales (StockUniteLegale) (StockUniteLegale_utf8.csv, données du 01/11/2025) : "
        "5 lignes lues, 2 retenues, 1 ignorée" in output
    )
    with pytest.raises(CommandError, match="Date illisible : « 01/11/2025 »"):
        run(path, date="01/11/2025")
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run(tmp_path / "absent.csv")


def test_only_scp_imports(wanted, tmp_path, role_users):
    path = files.units_file(tmp_path / "StockUniteLegale_utf8.csv", files.standard_units())
    with pytest.raises(PermissionDenied, match="Seul le service commande publique"):
        services.sirene_apply(paths=[str(path)], user=role_users["committee"])
    assert services.sirene_apply(paths=[str(path)], user=role_users["scp"]).kept == 3
    assert OTHER[:9] not in LegalUnit.objects.values_list("siren", flat=True)
