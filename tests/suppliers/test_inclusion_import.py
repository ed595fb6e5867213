"""`inclusion_import` on lists shaped like their publishers' exports: the SIAE of the inclusion market,
the EA and ESAT (FINESS-based open data, category codes or names), the GEIQ; bad rows listed; a
re-import replaces the list of its kind, and a refused file leaves it as it was."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from suppliers import inclusion, services
from suppliers.enums import InclusionKind, SourceKind
from suppliers.models import InclusionListing, SupplierImport
from tests.utils import database_state

pytestmark = pytest.mark.django_db

SOURCE = "https://lemarche.inclusion.beta.gouv.fr (export du 02/11/2025)"
# The inclusion market's export: semicolons, its own column names and type labels.
SIAE_LIST = (
    "Raison sociale;Enseigne;SIRET;Type;Secteurs d'activité;Ville;Département\n"
    "Atelier du Lien;Le Lien;123 456 789 00011;ACI;Espaces verts;Nancy;54\n"
    "Intérim Solidaire;;23456789100027;ETTI;Intérim;Ajaccio;2A\n"
    "Bois et Compagnie;;34567891200035;Entreprise d'insertion (EI);Menuiserie;Saint-Denis;974\n"
    "Services Proches;;45678912300043;AI;Ménage;Metz;57\n"
    "Sans SIRET;;;ACI;Espaces verts;Nancy;54\n"
    "SIRET tronqué;;4567891230004;EI;Bâtiment;Nancy;54\n"
    "Adaptée;;56789123400051;EA;Blanchisserie;Toul;54\n"
    "Atelier du Lien;Le Lien;12345678900011;ACI;Espaces verts;Nancy;54\n"
)
# FINESS-based open data: commas, an accented category column holding FINESS codes or names.
EA_ESAT_LIST = (
    "N° FINESS,Raison sociale,SIRET,Catégorie établissement,Commune\n"
    "540001234,ESAT Les Tilleuls,67891234500068,246,Lunéville\n"
    '540005678,"Établissement et Service d\'Aide par le Travail (E.S.A.T.), Pont",78912345600076,'
    "Etablissement et Service d'Aide par le Travail (E.S.A.T.),Pont-à-Mousson\n"
    ",Entreprise Adaptée du Toulois,56789123400051,EA,Toul\n"
    ",EA Intérim,89123456700084,Entreprise adaptée de travail temporaire,Nancy\n"
    "540009999,Foyer de vie,91234567800092,252,Nancy\n"
)
GEIQ_LIST = "siret;nom\n90123456700011;GEIQ BTP Lorraine\n01234567800019;GEIQ Propreté\n"


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path, **options) -> str:
    out = io.StringIO()
    call_command("inclusion_import", str(path), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def listings(kind: str) -> list[tuple[str, str, str]]:
    return list(InclusionListing.objects.filter(kind=kind).values_list("siret", "subkind", "name"))


def test_the_siae_list_with_its_bad_rows_listed(tmp_path):
    path = write(tmp_path, "siae.csv", SIAE_LIST)
    log = services.inclusion_apply(
        kind=InclusionKind.SIAE, path=str(path), source=SOURCE, source_date=datetime.date(2025, 11, 2)
    )
    assert listings("siae") == [
        ("12345678900011", "ACI", "Atelier du Lien"),
        ("23456789100027", "ETTI", "Intérim Solidaire"),
        ("34567891200035", "EI", "Bois et Compagnie"),
        ("45678912300043", "AI", "Services Proches"),
    ]
    assert [(s["line"], s["id"], s["reason"]) for s in log.skipped] == [
        (6, "", "SIRET absent"),
        (7, "4567891230004", "SIRET illisible « 4567891230004 » (14 chiffres)"),
        (8, "56789123400051", "type inconnu ou hors de cette liste : « EA »"),
        (9, "12345678900011", "déjà sur la liste (ligne 2)"),
    ]
    assert (log.source, log.read, log.kept, log.source_date) == (
        SourceKind.SIAE,
        8,
        4,
        datetime.date(2025, 11, 2),
    )
    listing = InclusionListing.objects.get(siret="12345678900011")
    assert (listing.siren, listing.source, listing.import_run) == ("123456789", SOURCE, log)


def test_the_ea_esat_list_reads_finess_codes_and_names(tmp_path):
    path = write(tmp_path, "ea-esat.csv", EA_ESAT_LIST, encoding="cp1252")  # as a spreadsheet saves it
    log = services.inclusion_apply(kind=InclusionKind.EA_ESAT, path=str(path), source="FINESS")
    assert sorted(listings("ea_esat")) == [
        ("56789123400051", "EA", "Entreprise Adaptée du Toulois"),
        ("67891234500068", "ESAT", "ESAT Les Tilleuls"),
        ("78912345600076", "ESAT", "Établissement et Service d'Aide par le Travail (E.S.A.T.), Pont"),
        ("89123456700084", "EATT", "EA Intérim"),
    ]
    assert [s["reason"] for s in log.skipped] == ["type inconnu ou hors de cette liste : « 252 »"]


def test_a_reimport_replaces_its_kind_only(tmp_path):
    services.inclusion_apply(kind="siae", path=str(write(tmp_path, "siae.csv", SIAE_LIST)), source=SOURCE)
    services.inclusion_apply(kind="geiq", path=str(write(tmp_path, "geiq.csv", GEIQ_LIST)), source="GEIQ")
    newer = "SIRET;Type;Raison sociale\n99999999900018;EITI;Coopérative d'indépendants\n"
    services.inclusion_apply(kind="siae", path=str(write(tmp_path, "siae2.csv", newer)), source=SOURCE)
    assert listings("siae") == [("99999999900018", "EITI", "Coopérative d'indépendants")]
    assert listings("geiq") == [
        ("01234567800019", "GEIQ", "GEIQ Propreté"),
        ("90123456700011", "GEIQ", "GEIQ BTP Lorraine"),
    ]


def test_a_refused_file_leaves_the_list_as_it_was(tmp_path):
    services.inclusion_apply(kind="siae", path=str(write(tmp_path, "siae.csv", SIAE_LIST)), source=SOURCE)
    before = database_state()
    no_type = write(tmp_path, "sans-type.csv", "SIRET;Raison sociale\n12345678900011;Atelier\n")
    with pytest.raises(
        CommandError, match="« sans-type.csv » n'est pas une liste .*colonne du type de structure"
    ):
        run(no_type, kind="siae", source=SOURCE)
    binary = write(tmp_path, "image.csv", "")
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    with pytest.raises(CommandError, match="« image.csv » n'est pas un fichier texte CSV lisible"):
        run(binary, kind="geiq", source="GEIQ")
    # The header is right, a row further down holds a 200,000-character field: found half-way.
    broken = write(tmp_path, "siae-casse.csv", SIAE_LIST + "X" * 200_000 + ";;12345678900099;EI;;;\n")
    with pytest.raises(services.InclusionFormatError, match="« siae-casse.csv » n'est pas un fichier CSV"):
        services.inclusion_apply(kind="siae", path=str(broken), source=SOURCE)
    endless = write(tmp_path, "sans-fin.csv", SIAE_LIST + "1" * 3_000_000)
    with pytest.raises(services.InclusionFormatError, match="la ligne 10 dépasse 1 048 576 caractères"):
        services.inclusion_apply(kind="siae", path=str(endless), source=SOURCE)
    with pytest.raises(services.InclusionFormatError, match="Indiquez la source de la liste"):
        services.inclusion_apply(kind="siae", path=str(write(tmp_path, "s.csv", SIAE_LIST)), source=" ")
    assert database_state() == before and len(listings("siae")) == 4


def test_the_command_prints_a_french_summary(tmp_path):
    output = run(write(tmp_path, "siae.csv", SIAE_LIST), kind="siae", source=SOURCE, date="2025-11-02")
    assert (
        "Ignorée : siae.csv, ligne 8 (56789123400051) : type inconnu ou hors de cette liste : « EA »."
        in output
    )
    assert (
        "Liste des SIAE (marché de l'inclusion) (siae.csv, données du 02/11/2025) : 8 lignes lues, "
        "4 retenues, 4 ignorées" in output
    )
    assert SupplierImport.objects.get().skipped[0]["file"] == "siae.csv"


@pytest.mark.parametrize(
    ("kind", "written", "code"),
    [
        ("siae", "Atelier et chantier d'insertion", "ACI"),
        ("siae", "Entreprise de travail temporaire d'insertion", "ETTI"),
        ("siae", "Entreprise d'insertion par le travail indépendant", "EITI"),
        ("siae", "association intermédiaire", "AI"),
        ("siae", "GEIQ", None),
        ("ea_esat", "E.S.A.T.", "ESAT"),
        ("ea_esat", "eatt", "EATT"),
        ("ea_esat", "ACI", None),
        ("geiq", "", "GEIQ"),
    ],
)
def test_types_as_the_lists_write_them(kind, written, code):
    assert inclusion.subkind(kind, written) == code
