"""No DECP file makes the import fail other than with its French refusal: records whose fields hold any
JSON value, and valid files cut or altered at any byte. Each generated record is read, kept (and then
stored and read back) or skipped with a reason; each altered file is read or refused (DecpFormatError)."""

import datetime
import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import decp, services
from contracts.enums import Considerations, Nature
from contracts.models import Contract
from tests.contracts.files import BUYER, EXAMPLE_MODIFICATIONS, marche

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=string.printable + "éÉ«»€\u00a0", max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
# What real publishers put in the fields the import reads, or anything at all.
FIELDS = {
    "id": st.one_of(JSON, st.text(min_size=1, max_size=80)),
    "dateNotification": st.one_of(
        JSON, st.dates().map(str), st.sampled_from(["2025-03-12+01:00", "0218-10-29"])
    ),
    "datePublicationDonnees": st.one_of(JSON, st.dates().map(str)),
    "montant": st.one_of(
        JSON, st.decimals(allow_nan=False).map(str), st.sampled_from(["50 000,00", "1e400"])
    ),
    "considerationsSociales": st.one_of(
        JSON,
        st.fixed_dictionaries({"considerationSociale": st.lists(st.sampled_from(["NC", "Critere social"]))}),
    ),
    "considerationsEnvironnementales": JSON,
    "titulaires": JSON,
    "modifications": JSON,
    "_type": st.one_of(JSON, st.sampled_from(["Marché", "Contrat de concession", "marche"])),
    "autoriteConcedante": JSON,
    "acheteur.id": st.just(BUYER),
    "objet": JSON,
    "codeCPV": JSON,
    "nature": JSON,
}
RECORDS = st.lists(
    st.fixed_dictionaries({"acheteur": st.just({"id": BUYER})}, optional=FIELDS), min_size=1, max_size=5
)


def read(path) -> list[decp.Record]:
    scan, records = decp.scan(str(path), {BUYER})
    return list(records)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=RECORDS, shape=st.sampled_from(["2022", "2019"]))
def test_any_field_value_is_read_kept_or_skipped_with_a_reason(tmp_path, records, shape):
    content = {"marches": {"marche": records}} if shape == "2022" else {"marches": records}
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")

    scan, kept = decp.scan(str(path), {BUYER})
    kept = list(kept)

    assert scan.read == len(records)
    # Every record names the buyer; one whose `_type` says concession is its authority's (maybe another).
    ours = [
        r for r in records if not (isinstance(r.get("_type"), str) and "concession" in r["_type"].lower())
    ]
    assert len(kept) + len(scan.skipped) + scan.no_buyer + scan.not_records >= len(ours)
    for skipped in scan.skipped:
        assert skipped.reason and skipped.contract_id
    for record in kept:
        assert record.initial_amount is None or abs(record.initial_amount) < decp.STORABLE_AMOUNT
        assert len(record.contract_id) <= decp.ID_MAX_LENGTH


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=RECORDS)
def test_what_is_kept_is_stored_and_read_back(tmp_path, records):
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps({"marches": {"marche": records}}, ensure_ascii=False), encoding="utf-8")

    report = services.decp_apply([str(path)], buyers=[BUYER])

    stored = list(Contract.objects.filter(buyer_siret=BUYER).values())  # every column read back
    assert len(stored) == len({r.uid for r in report.outcomes["new"]}) + report.count(
        "changed"
    ) + report.count("unchanged")
    Contract.objects.all().delete()


VALID = EXAMPLE_MODIFICATIONS.read_bytes()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cut=st.integers(min_value=0, max_value=len(VALID)),
    position=st.integers(min_value=0, max_value=len(VALID) - 1),
    byte=st.sampled_from([b"[", b"{", b"}", b"]", b'"', b"\\", b",", b"\xff", b"\x00", b"N", b"9"]),
)
def test_a_file_cut_or_altered_anywhere_is_read_or_refused(tmp_path, cut, position, byte):
    for content in (VALID[:cut], VALID[:position] + byte + VALID[position + 1 :]):
        path = tmp_path / "altere.json"
        path.write_bytes(content)
        try:
            decp.detect_format(str(path))
            read(path)
        except decp.DecpFormatError as refusal:
            assert "« altere.json »" in str(refusal)


def test_a_record_of_the_fuzz_shape_still_reads_like_the_format(tmp_path):
    """The generator's base record (buyer only) is skipped for want of an id: the fuzz starts there."""
    path = tmp_path / "base.json"
    path.write_text(json.dumps({"marches": {"marche": [{"acheteur": {"id": BUYER}}, marche("A-1")]}}))
    scan, records = decp.scan(str(path), {BUYER})
    assert [r.contract_id for r in records] == ["A-1"]
    assert [s.reason for s in scan.skipped] == ["identifiant (id) manquant"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=RECORDS, shape=st.sampled_from(["2022", "2019"]))
def test_the_counted_essentials_are_what_the_register_reads(tmp_path, records, shape):
    """The national computation's reading (counted_only) keeps and skips the records the register's
    does, for the same reasons, with the same uid, dates, initial amount and considerations."""
    content = {"marches": {"marche": records}} if shape == "2022" else {"marches": records}
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")

    full_scan, full = decp.scan(str(path), {BUYER})
    full = [(r.uid, r.notified_on, r.published_on, r.initial, r.published) for r in full]
    light_scan, light = decp.scan(str(path), {BUYER}, counted_only=True)
    light = [(e.uid, e.notified_on, e.published_on, e.initial, e.published) for e in light]

    assert light == full
    assert light_scan.skipped == full_scan.skipped


@pytest.mark.parametrize(
    "stated",
    [
        {"considerationSociale": ["Clause sociale; Marché réservé", "NC"]},  # the schema's shape (cached)
        [{"considerationSociale": ["Clause sociale; Marché réservé", "NC"]}],  # wrapped: read each time
        {"considerationSociale": ["Clause sociale; Marché réservé", "NC"], "autre": []},
        "Clause sociale; Marché réservé, NC",
    ],
)
def test_considerations_read_alike_whatever_the_shape(stated):
    record = decp.essentials(
        {"id": "A-1", "dateNotification": "2025-03-12", "considerationsSociales": stated},
        Nature.CONTRACT,
        BUYER,
        today=datetime.date(2026, 1, 1),
    )
    flags = {flag: record.published[flag] for flag in ("social_clause", "social_criterion", "reserved")}

    assert record.published["social"] == Considerations.STATED
    assert flags == {"social_clause": True, "social_criterion": False, "reserved": True}
    assert record.published["social_words"] == ["Clause sociale", "Marché réservé", "NC"]
    assert record.unknown == [("social", "NC")]
