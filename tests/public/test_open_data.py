"""The open data: CSV and JSON files checked against their committed schemas, read back to the same
values, described on the data page, listed in a DCAT-AP catalogue, sent with HTTP validators."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import frictionless
import jsonschema
import pytest
from django.test import Client
from django.urls import reverse

from actions.enums import ValueType
from actions.models import Fiche, Indicator
from indicators.demo import demo_load
from indicators.models import AnnualReview, IndicatorValue
from public.open_data import FILES, FILES_BY_NAME, SCHEMA_DIR, schema
from tests.conftest import DEMO_PATH
from tests.factories import AnnualReviewFactory, IndicatorFactory, IndicatorValueFactory, MilestoneFactory
from tests.public.conftest import json_of

pytestmark = pytest.mark.django_db

CSV_FILES = [f for f in FILES if f.format == "CSV"]
JSON_FILES = [f for f in FILES if f.format == "JSON"]


@pytest.fixture
def demo_public(public_plan):
    """The published plan with the demo values: 2021-2024 validated, 2025 partly submitted."""
    demo_load(path=DEMO_PATH)
    return public_plan


def download(client: Client, plan, name: str):
    response = client.get(reverse("public:data_file", args=[plan.slug, name]))
    assert response.status_code == 200, name
    return response


def csv_rows(content: bytes) -> list[dict]:
    # newline="": a carriage return inside a quoted cell is the cell's, not the end of a line.
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def assert_valid_csv(file, content: bytes, tmp_path: Path) -> None:
    """The CSV has its Table Schema's columns, in order, and frictionless finds no error in it."""
    (tmp_path / file.name).write_bytes(content)
    descriptor = schema(file.schema_name)
    assert next(csv.reader(io.StringIO(content.decode(), newline=""))) == [
        f["name"] for f in descriptor["fields"]
    ]
    resource = frictionless.Resource(
        path=file.name,
        basepath=str(tmp_path),
        schema=frictionless.Schema.from_descriptor(descriptor),
        encoding="utf-8",
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


@pytest.mark.parametrize("file", CSV_FILES, ids=lambda f: f.name)
def test_each_csv_is_valid_against_its_table_schema(client, demo_public, tmp_path, file):
    response = download(client, demo_public, file.name)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert not response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    assert_valid_csv(file, response.content, tmp_path)
    assert len(csv_rows(response.content)) > 0


# Text a spreadsheet would run as a formula, one per trigger (what core.excel.files neutralises),
# of 40 characters at most: it is also written in an indicator's unit (a varchar(40) on PostgreSQL).
FORMULAS = {
    "equals": '=HYPERLINK("http://x.example";"Clic")',
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SOMME(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "carriage return": "\r=1+1",
}


@pytest.mark.parametrize("formula", FORMULAS.values(), ids=FORMULAS.keys())
def test_csv_text_cells_starting_like_a_formula_are_neutralised_and_numbers_untouched(
    client, public_plan, fiche11, tmp_path, formula
):
    fiche11.title = formula
    fiche11.save()
    text = IndicatorFactory(
        fiche=fiche11, code="11-T9", label=formula, group=formula, unit=formula, value_type=ValueType.TEXT
    )
    number = IndicatorFactory(
        fiche=fiche11,
        code="11-N9",
        label="Solde",
        value_type=ValueType.RATIO,
        target_value=Decimal("-3"),
        target_year=2026,
        baseline_value=Decimal("-2.5"),
        baseline_year=2021,
    )
    MilestoneFactory(fiche=fiche11, heading=formula, text=formula, due_year=2024)
    AnnualReviewFactory(fiche=fiche11, year=2022, validated=True)
    IndicatorValueFactory(indicator=text, year=2022, value_number=None, value_text=formula)
    IndicatorValueFactory(indicator=number, year=2022, value_number=Decimal("-3"))
    neutralised = "'" + formula
    content = {file.name: download(client, public_plan, file.name).content for file in CSV_FILES}
    for name, body in content.items():
        assert_valid_csv(FILES_BY_NAME[name], body, tmp_path)

    (fiche,) = [r for r in csv_rows(content["fiches.csv"]) if r["numero"] == "11"]
    assert fiche["intitule"] == neutralised
    assert fiche["annees_validees"] == "2022" and fiche["avancement_annee"] == "2022"
    indicators = {r["code"]: r for r in csv_rows(content["indicateurs.csv"])}
    assert indicators["11-T9"]["libelle"] == indicators["11-T9"]["intitule_commun"] == neutralised
    assert indicators["11-T9"]["unite"] == neutralised
    assert (indicators["11-N9"]["valeur_cible"], indicators["11-N9"]["annee_cible"]) == ("-3", "2026")
    assert (indicators["11-N9"]["valeur_reference"], indicators["11-N9"]["annee_reference"]) == (
        "-2.5",
        "2021",
    )
    (milestone,) = [r for r in csv_rows(content["jalons.csv"]) if r["libelle"] == neutralised]
    assert milestone["phase"] == neutralised and milestone["numero_fiche"] == "11"
    values = {r["code_indicateur"]: r for r in csv_rows(content["valeurs.csv"]) if r["annee"] == "2022"}
    assert values["11-T9"]["valeur_texte"] == values["11-T9"]["libelle_indicateur"] == neutralised
    assert values["11-N9"]["valeur_nombre"] == "-3" and values["11-N9"]["valeur_texte"] == ""
    assert values["11-N9"]["renseignee"] == "true"
    # The JSON files carry the text as typed: JSON is read as data, never run as a formula.
    tree = json_of(download(client, public_plan, "plan.json"))
    (in_json,) = [f for a in tree["axes"] for o in a["objectifs"] for f in o["fiches"] if f["numero"] == 11]
    assert in_json["intitule"] == formula


@pytest.mark.parametrize("file", JSON_FILES, ids=lambda f: f.name)
def test_each_json_file_is_valid_against_its_json_schema(client, demo_public, file):
    response = download(client, demo_public, file.name)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    validator = jsonschema.Draft202012Validator(
        schema(file.schema_name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(json_of(response))]
    assert errors == []


def test_every_committed_schema_is_a_valid_schema_and_is_served():
    client = Client()
    names = sorted(path.name for path in SCHEMA_DIR.glob("*.schema.json"))
    assert names == sorted(f.schema_name for f in FILES)
    for name in names:
        descriptor = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
        if "fields" in descriptor:
            assert frictionless.Schema.from_descriptor(descriptor).field_names
        else:
            jsonschema.Draft202012Validator.check_schema(descriptor)
        served = client.get(reverse("public:schema", args=[name]))
        assert served.status_code == 200 and json_of(served) == descriptor


def _stored_validated_values(plan) -> dict:
    """(fiche, code, year) -> the stored raw value, for every validated (fiche, year)."""
    validated = set(
        AnnualReview.objects.validated().filter(fiche__plan=plan).values_list("fiche__number", "year")
    )
    expected = {}
    for indicator in Indicator.objects.of_plan(plan).select_related("fiche"):
        for number, year in validated:
            if number == indicator.fiche.number:
                expected[(number, indicator.code, year)] = None
    for value in (
        IndicatorValue.objects.validated()
        .filter(indicator__fiche__plan=plan)
        .select_related("indicator__fiche")
    ):
        expected[(value.indicator.fiche.number, value.indicator.code, value.year)] = value.raw
    return expected


def _csv_value(row: dict):
    if row["valeur_nombre"]:
        return Decimal(row["valeur_nombre"])
    if row["valeur_oui_non"]:
        return row["valeur_oui_non"] == "true"
    return row["valeur_texte"] or None


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(str(a)) == Decimal(str(b))
    return a == b


def test_values_round_trip_one_row_per_indicator_and_validated_year(client, demo_public):
    expected = _stored_validated_values(demo_public)
    assert any(isinstance(v, Decimal) for v in expected.values())
    assert any(isinstance(v, bool) for v in expected.values())
    assert any(isinstance(v, str) for v in expected.values())
    assert 2025 not in {year for _, _, year in expected}  # submitted, not validated
    rows = csv_rows(download(client, demo_public, "valeurs.csv").content)
    from_csv = {(int(r["numero_fiche"]), r["code_indicateur"], int(r["annee"])): _csv_value(r) for r in rows}
    assert len(rows) == len(from_csv) == len(expected)  # one row per indicator and validated year
    assert from_csv.keys() == expected.keys()
    assert all(_same(from_csv[key], value) for key, value in expected.items())
    records = json_of(download(client, demo_public, "valeurs.json"))["valeurs"]
    from_json = {(r["numero_fiche"], r["code_indicateur"], r["annee"]): r["valeur"] for r in records}
    assert from_json.keys() == expected.keys()
    assert all(_same(from_json[key], value) for key, value in expected.items())
    demo = {r["donnee_demo"] for r in rows if r["renseignee"] == "true"}
    assert demo == {"true"}


def test_plan_files_hold_the_fiches_directions_milestones_indicators_and_targets(client, demo_public):
    with_target = Indicator.objects.of_plan(demo_public).get(code="11-R3")
    with_target.target_value, with_target.target_year = Decimal("0.75"), 2026
    with_target.save()
    fiches = Fiche.objects.filter(plan=demo_public).with_details()
    tree = json_of(download(client, demo_public, "plan.json"))
    in_json = {f["numero"]: f for a in tree["axes"] for o in a["objectifs"] for f in o["fiches"]}
    assert set(in_json) == {f.number for f in fiches}
    fiche_rows = {int(r["numero"]): r for r in csv_rows(download(client, demo_public, "fiches.csv").content)}
    indicator_rows = csv_rows(download(client, demo_public, "indicateurs.csv").content)
    milestone_rows = csv_rows(download(client, demo_public, "jalons.csv").content)
    assert len(indicator_rows) == Indicator.objects.of_plan(demo_public).count()
    assert len(milestone_rows) == sum(f.milestones.count() for f in fiches)
    for fiche in fiches:
        directions = [p.direction.code for p in fiche.ordered_pilots()]
        assert [d["sigle"] for d in in_json[fiche.number]["directions_pilotes"]] == directions
        assert fiche_rows[fiche.number]["directions_pilotes"] == " ; ".join(directions)
        assert fiche_rows[fiche.number]["intitule"] == fiche.title
        for indicator, row in zip(fiche.indicators.all(), in_json[fiche.number]["indicateurs"], strict=True):
            assert row["code"] == indicator.code and _same(row["valeur_cible"], indicator.target_value)
    targets = {r["code"]: (r["valeur_cible"], r["annee_cible"]) for r in indicator_rows}
    assert targets["11-R3"] == ("0.75", "2026")
    assert tree["licence"]["url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert tree["donnees_de_demonstration"] is True


def test_the_data_page_describes_every_file_column_unit_and_the_update_date(client, demo_public):
    page = client.get(reverse("public:data", args=[demo_public.slug])).content.decode()
    assert "Licence Ouverte" in page and "Mise à jour" in page and "Unités" in page
    for file in FILES:
        assert reverse("public:data_file", args=[demo_public.slug, file.name]) in page
        assert reverse("public:schema", args=[file.schema_name]) in page
        for column in file.columns:
            assert f"<code>{column['name']}</code>" in page, (file.name, column["name"])
    assert reverse("public:catalogue") in page


def test_files_are_sent_with_validators_and_answer_304(client, demo_public):
    response = download(client, demo_public, "valeurs.csv")
    assert response["Content-Disposition"] == f'attachment; filename="{demo_public.slug}-valeurs.csv"'
    url = reverse("public:data_file", args=[demo_public.slug, "valeurs.csv"])
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert client.get(reverse("public:data_file", args=[demo_public.slug, "autre.csv"])).status_code == 404


def test_the_open_data_is_built_in_a_fixed_number_of_queries(demo_public, django_assert_max_num_queries):
    client = Client()
    # The public plans (1), the fiches with every section (10), validated reviews and values,
    # withheld fiches (3): then every other file of the plan comes from the same rows.
    with django_assert_max_num_queries(14):
        download(client, demo_public, "valeurs.csv")
    with django_assert_max_num_queries(0):
        for file in FILES:
            download(client, demo_public, file.name)


def test_the_dcat_catalogue_describes_every_file_of_every_public_plan(client, demo_public):
    response = client.get(reverse("public:catalogue"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/ld+json")
    catalogue = json_of(response)
    assert catalogue["@type"] == "dcat:Catalog" and "dcat" in catalogue["@context"]
    (dataset,) = catalogue["dcat:dataset"]
    assert dataset["@type"] == "dcat:Dataset" and dataset["dct:identifier"] == demo_public.slug
    assert dataset["dct:publisher"]["foaf:name"] == demo_public.buyer
    assert dataset["dct:license"]["@id"].startswith("https://www.etalab.gouv.fr/licence-ouverte")
    assert "démonstration" in dataset["dct:description"]
    distributions = dataset["dcat:distribution"]
    assert {d["dct:title"] for d in distributions} == {f.name for f in FILES}
    for distribution in distributions:
        for key in ("dcat:downloadURL", "dct:conformsTo"):
            path = distribution[key]["@id"].removeprefix("http://testserver")
            assert client.get(path).status_code == 200, path
        assert distribution["dct:license"]["@id"] == dataset["dct:license"]["@id"]
        assert distribution["dcat:mediaType"]["@id"].startswith(
            "https://www.iana.org/assignments/media-types/"
        )


def test_schemas_document_their_files_in_french():
    for path in Path(SCHEMA_DIR).glob("*.schema.json"):
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        assert descriptor["title"] and descriptor["description"], path.name
        for field in descriptor.get("fields", []):
            assert field.get("description"), (path.name, field["name"])
