"""Small SIRENE extracts in the real layout (the stocks' real header lines, made-up rows) and inclusion
lists as their publishers export them."""

import csv
import io
import zipfile
from pathlib import Path

from suppliers.sirene import ESTABLISHMENT_COLUMNS, UNIT_COLUMNS

# The register's holders in these tests (made up), each SIRET's first nine digits its SIREN.
HOLDER = "12345678900011"  # a PME in Nancy (54), ESS
SECOND = "23456789100027"  # a closed establishment in Ajaccio (2A), of a GE
OVERSEAS = "34567891200035"  # Saint-Denis de La Réunion (974), a person's company
OTHER = "98765432100019"  # in the files, not wanted


def unit(siren: str, **values) -> dict:
    row = {column: "" for column in UNIT_COLUMNS}
    row.update(
        siren=siren,
        statutDiffusionUniteLegale="O",
        unitePurgeeUniteLegale="",
        dateCreationUniteLegale="2001-05-14",
        trancheEffectifsUniteLegale="12",
        anneeEffectifsUniteLegale="2023",
        dateDernierTraitementUniteLegale="2025-03-01T10:12:33",
        nombrePeriodesUniteLegale="3",
        categorieEntreprise="PME",
        anneeCategorieEntreprise="2022",
        dateDebut="2015-01-01",
        etatAdministratifUniteLegale="A",
        denominationUniteLegale=f"SOCIETE {siren}",
        categorieJuridiqueUniteLegale="5710",
        activitePrincipaleUniteLegale="43.21A",
        nomenclatureActivitePrincipaleUniteLegale="NAFRev2",
        nicSiegeUniteLegale="00011",
        economieSocialeSolidaireUniteLegale="N",
        caractereEmployeurUniteLegale="O",
    )
    row.update(values)
    return row


def establishment(siret: str, **values) -> dict:
    row = {column: "" for column in ESTABLISHMENT_COLUMNS}
    row.update(
        siren=siret[:9],
        nic=siret[9:],
        siret=siret,
        statutDiffusionEtablissement="O",
        dateCreationEtablissement="2001-05-14",
        trancheEffectifsEtablissement="11",
        anneeEffectifsEtablissement="2023",
        dateDernierTraitementEtablissement="2025-03-01T10:12:33",
        etablissementSiege="true",
        nombrePeriodesEtablissement="2",
        numeroVoieEtablissement="12",
        typeVoieEtablissement="RUE",
        libelleVoieEtablissement="DES JARDINIERS",
        codePostalEtablissement="54000",
        libelleCommuneEtablissement="NANCY",
        codeCommuneEtablissement="54395",
        dateDebut="2015-01-01",
        etatAdministratifEtablissement="A",
        activitePrincipaleEtablissement="43.21A",
        nomenclatureActivitePrincipaleEtablissement="NAFRev2",
        caractereEmployeurEtablissement="O",
    )
    row.update(values)
    return row


def stock_text(columns: list[str], rows: list[dict]) -> str:
    """The CSV as INSEE writes it: comma-separated, quoted only where needed, a header line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[column] for column in columns])
    return out.getvalue()


def write_stock(path: Path, columns: list[str], rows: list[dict], *, zipped: bool = False) -> Path:
    text = stock_text(columns, rows)
    if zipped:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(path.stem + ".csv", text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def units_file(path: Path, rows: list[dict], *, zipped: bool = False) -> Path:
    return write_stock(path, UNIT_COLUMNS, rows, zipped=zipped)


def establishments_file(path: Path, rows: list[dict], *, zipped: bool = False) -> Path:
    return write_stock(path, ESTABLISHMENT_COLUMNS, rows, zipped=zipped)


def standard_units() -> list[dict]:
    """Sorted by SIREN, like INSEE's stocks."""
    return [
        unit(HOLDER[:9], economieSocialeSolidaireUniteLegale="O", categorieJuridiqueUniteLegale="5458"),
        unit(
            SECOND[:9],
            categorieEntreprise="GE",
            anneeCategorieEntreprise="2022",
            trancheEffectifsUniteLegale="53",
            economieSocialeSolidaireUniteLegale="",
            etatAdministratifUniteLegale="C",
        ),
        unit(
            OVERSEAS[:9],
            denominationUniteLegale="",
            prenom1UniteLegale="MARIE",
            nomUniteLegale="HOARAU",
            nomUsageUniteLegale="PAYET",
            categorieEntreprise="PME",
            trancheEffectifsUniteLegale="NN",
            categorieJuridiqueUniteLegale="1000",
            statutDiffusionUniteLegale="P",
            prenomUsuelUniteLegale="[ND]",
        ),
        unit(OTHER[:9], denominationUniteLegale="AUTRE SOCIETE"),
    ]


def standard_establishments() -> list[dict]:
    return [
        establishment(HOLDER[:9] + "00003", etablissementSiege="false"),  # another of the holder's
        establishment(HOLDER),
        establishment(
            SECOND,
            codeCommuneEtablissement="2A004",
            codePostalEtablissement="20000",
            libelleCommuneEtablissement="AJACCIO",
            etatAdministratifEtablissement="F",
        ),
        establishment(
            OVERSEAS,
            codeCommuneEtablissement="97411",
            codePostalEtablissement="97400",
            libelleCommuneEtablissement="SAINT-DENIS",
        ),
        establishment(OTHER),
    ]
