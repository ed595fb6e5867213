"""The SIRENE reader's own rules: columns read by name in any order, quoted SIRENs, the département of
a commune code, the date in a stock's name."""

import csv
import datetime

import pytest

from suppliers import sirene
from suppliers.enums import SourceKind
from tests.suppliers import files
from tests.suppliers.files import HOLDER, OTHER, SECOND


@pytest.mark.parametrize(
    ("commune", "departement"),
    [
        ("54395", "54"),
        ("01053", "01"),
        ("2A004", "2A"),
        ("2b033", "2B"),
        ("97411", "974"),
        ("97502", "975"),
        ("98818", "988"),
        ("", ""),
        ("99134", ""),  # a foreign country's INSEE code
        ("5439", ""),
        ("ZZ001", ""),
    ],
)
def test_departement_of_a_commune(commune, departement):
    assert sirene.departement(commune) == departement


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("StockEtablissement_utf8_2025-11-01.zip", datetime.date(2025, 11, 1)),
        ("2025-10-01-StockUniteLegale_utf8.csv", datetime.date(2025, 10, 1)),
        ("StockUniteLegale_utf8_2025-09.zip", datetime.date(2025, 9, 1)),
        ("StockUniteLegale_utf8.zip", None),
        ("StockUniteLegale_2025-13-01.csv", None),
    ],
)
def test_date_in_a_stock_name(name, date):
    assert sirene.file_date(name) == date


def test_columns_in_another_order_and_quoted_sirens_are_read(tmp_path):
    """A stock whose first column is not the SIREN is parsed line by line (no prefix test), and a
    quoted SIREN at a line's start is still a candidate."""
    columns = list(reversed(files.ESTABLISHMENT_COLUMNS))
    path = tmp_path / "StockEtablissement_utf8.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in files.standard_establishments():
            writer.writerow([row[c] for c in columns])
    scan, rows = sirene.records(path, path.name, sirens={HOLDER[:9]}, sirets={HOLDER})
    assert [r["siret"] for r in rows] == [HOLDER] and (scan.read, scan.kept) == (5, 1)

    quoted = tmp_path / "StockUniteLegale_utf8.csv"
    text = files.stock_text(files.UNIT_COLUMNS, [files.unit(SECOND[:9]), files.unit(OTHER[:9])])
    quoted.write_text(text.replace(f"\n{SECOND[:9]},", f'\n"{SECOND[:9]}",'), encoding="utf-8")
    assert sirene.detect(quoted, quoted.name) == SourceKind.SIRENE_UNITS
    scan, rows = sirene.records(quoted, quoted.name, sirens={SECOND[:9]}, sirets=set())
    assert [r["siren"] for r in rows] == [SECOND[:9]] and (scan.read, scan.kept) == (2, 1)


def test_progress_counts_every_byte_after_the_header(tmp_path):
    path = files.establishments_file(
        tmp_path / "StockEtablissement_utf8.csv", files.standard_establishments()
    )
    seen = []
    scan, rows = sirene.records(path, path.name, sirens={HOLDER[:9]}, sirets={HOLDER}, on_bytes=seen.append)
    assert [r["siret"] for r in rows] == [HOLDER]
    header = len(",".join(files.ESTABLISHMENT_COLUMNS)) + 1
    assert sum(seen) == path.stat().st_size - header and scan.read == 5
