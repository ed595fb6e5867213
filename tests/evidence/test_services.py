"""Adding and removing evidence (evidence.services): the rights, the follow-up rule, the file checks,
and that a refusal writes nothing and stores nothing."""

import datetime
import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction

from actions.models import Fiche
from core.versioning import StaleWrite
from evidence.enums import EvidenceKind
from evidence.models import Evidence
from evidence.services import EvidenceError, evidence_add, evidence_orphans_delete, evidence_remove
from indicators.enums import ReviewStatus
from indicators.rules import PlanStateRefused, WorkflowError
from tests.evidence.conftest import add_file, docx_bytes, pdf_bytes, stored_files
from tests.factories import AnnualReviewFactory
from tests.utils import database_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_year(campaign2025, fiche11):
    """Fiche 11's 2025, its campaign open: its pilots may add evidence."""
    return fiche11


def _refused(media, exception, match, add):
    """`add` raises `exception` matching `match`, and neither a row nor a file is left."""
    before = database_state()
    with pytest.raises(exception, match=match):
        add()
    assert database_state() == before
    assert stored_files(media) == []


def test_a_pilot_adds_a_pdf_to_a_value_stored_under_a_generated_name(open_year, pilot11, media):
    indicator = open_year.indicators.order_by("position").first()
    evidence = add_file(open_year, pilot11, name="../../PV comité.pdf", indicator=indicator)
    evidence.refresh_from_db()
    assert (evidence.kind, evidence.file_name, evidence.content_type) == (
        EvidenceKind.FILE,
        "PV comité.pdf",
        "application/pdf",
    )
    assert evidence.size == len(pdf_bytes()) and len(evidence.sha256) == 64
    assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", evidence.file.name)
    [stored] = stored_files(media)
    assert stored.read_bytes() == pdf_bytes() and stored.is_relative_to(media)
    assert (evidence.indicator, evidence.added_by) == (indicator, pilot11)
    [record] = evidence.history.all()
    assert (record.history_type, record.history_user) == ("+", pilot11)


@pytest.mark.parametrize(
    "name", ["<script>.pdf", "../../x.pdf", "..\\..\\x.pdf", ".htaccess.pdf", "pv\x00.pdf"]
)
def test_a_name_with_a_path_markup_or_a_leading_dot_is_refused_nothing_stored(
    open_year, pilot11, media, name
):
    """Refused, not repaired (a browser's form never delivers a folder, but code handing the service a
    file may): the French message names the file, nothing is written or stored."""
    before = database_state()
    upload = File(io.BytesIO(pdf_bytes()), name=name)  # a File keeps its name as given
    with pytest.raises(EvidenceError, match="n'est pas accepté : il contient un chemin, une balise"):
        evidence_add(
            fiche=open_year,
            year=2025,
            user=pilot11,
            title="PV",
            dated=datetime.date(2025, 3, 12),
            upload=upload,
        )
    assert database_state() == before and stored_files(media) == []


def test_other_unsafe_characters_are_only_replaced_in_the_name_shown(open_year, pilot11, media):
    evidence = add_file(open_year, pilot11, name='Compte-rendu : "PV" final.pdf')
    assert evidence.file_name == "Compte-rendu _ _PV_ final.pdf" and "PV" not in evidence.file.name


def test_scp_adds_a_link_to_a_milestone(open_year, scp_user):
    milestone = open_year.milestones.first()
    evidence = evidence_add(
        fiche=open_year,
        year=2025,
        user=scp_user,
        title="  Délibération   du conseil ",
        dated=datetime.date(2025, 2, 3),
        url="https://deliberations.example.org/2025/12",
        milestone=milestone,
    )
    assert (evidence.kind, evidence.title, evidence.file.name) == (
        EvidenceKind.LINK,
        "Délibération du conseil",
        "",
    )
    assert evidence.milestone == milestone and evidence.history.get().history_user == scp_user


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": " "}, "title", "Donnez un titre"),
        ({"title": "x" * 201}, "title", "201 caractères : 200 au plus"),
        ({"dated": None}, "dated", "Indiquez la date du document"),
        ({"dated": datetime.date(2999, 1, 1)}, "dated", "ne peut pas être dans le futur"),
        ({"url": "javascript:alert(1)"}, "url", "doit commencer par https://"),
        ({"url": "ftp://example.org/pv.pdf"}, "url", "doit commencer par https://"),
        ({"url": "file:///etc/passwd"}, "url", "doit commencer par https://"),
        ({"url": ""}, "upload", "Joignez un fichier ou indiquez un lien"),
    ],
)
def test_bad_input_is_refused_with_its_field(open_year, pilot11, media, fields, field, message):
    arguments = {"title": "Délibération", "dated": datetime.date(2025, 2, 3), "url": "https://example.org"}

    def add():
        evidence_add(fiche=open_year, year=2025, user=pilot11, **(arguments | fields))

    _refused(media, EvidenceError, message, add)
    with pytest.raises(EvidenceError, match=message) as refusal:
        add()
    assert refusal.value.field == field


def test_a_file_and_a_link_together_are_refused(open_year, pilot11, media):
    _refused(
        media,
        EvidenceError,
        "l'un ou l'autre",
        lambda: add_file(open_year, pilot11, url="https://example.org"),
    )


def test_an_indicator_or_milestone_of_another_fiche_is_refused(open_year, spaser54, pilot11, media):
    other = Fiche.objects.get(plan=spaser54, number=5)
    indicator, milestone = other.indicators.first(), other.milestones.first()
    for extra, message in (
        ({"indicator": indicator}, "n'est pas un indicateur de cette fiche"),
        ({"milestone": milestone}, "n'est pas une étape de cette fiche"),
        (
            {"indicator": open_year.indicators.first(), "milestone": open_year.milestones.first()},
            "pas aux deux",
        ),
    ):
        _refused(media, EvidenceError, message, lambda extra=extra: add_file(open_year, pilot11, **extra))


def test_a_file_whose_content_is_not_what_its_name_says_is_refused_and_not_stored(open_year, pilot11, media):
    _refused(
        media,
        EvidenceError,
        "celui d'un fichier DOCX",
        lambda: add_file(open_year, pilot11, name="h.xlsx", content=docx_bytes()),
    )
    html = b"<html><body><script>alert(1)</script></body></html>"
    _refused(
        media,
        EvidenceError,
        "n'est pas d'un type accepté",
        lambda: add_file(open_year, pilot11, name="pv.pdf", content=html),
    )


def test_an_oversized_file_is_refused_and_not_stored(open_year, pilot11, media, settings):
    settings.EVIDENCE_MAX_FILE_SIZE = 1024
    _refused(media, EvidenceError, "la limite est de 1 ko par fichier", lambda: add_file(open_year, pilot11))


def test_the_year_s_total_is_limited(open_year, pilot11, media, settings):
    settings.EVIDENCE_MAX_TOTAL_SIZE = len(pdf_bytes()) * 2 - 1
    first = add_file(open_year, pilot11)
    before = stored_files(media)
    with pytest.raises(EvidenceError, match=r"pèseraient .* au total : la limite est de"):
        add_file(open_year, pilot11, title="Deuxième")
    assert stored_files(media) == before and Evidence.objects.get() == first
    evidence_remove(evidence=first, user=pilot11, seen_version=first.version)  # a removed file counts no more
    add_file(open_year, pilot11, title="Deuxième")


def test_a_validated_year_locks_its_evidence_for_everyone(open_year, pilot11, scp_user, media):
    evidence = add_file(open_year, pilot11)
    AnnualReviewFactory(fiche=open_year, year=2025, validated=True)
    for user in (pilot11, scp_user):
        before = (database_state(), stored_files(media))
        with pytest.raises(WorkflowError, match="Le bilan 2025 de la fiche 11 est validé"):
            add_file(open_year, user, title="Après validation")
        with pytest.raises(WorkflowError, match="est validé"):
            evidence_remove(evidence=evidence, user=user, seen_version=evidence.version)
        assert (database_state(), stored_files(media)) == before


def test_a_pilot_adds_only_while_the_campaign_is_open(fiche11, pilot11, scp_user, media):
    _refused(media, WorkflowError, "La campagne 2025 n'est pas ouverte", lambda: add_file(fiche11, pilot11))
    add_file(fiche11, scp_user)  # SCP adds whatever the campaign, as it enters values


def test_a_submitted_year_waits_for_scp(open_year, pilot11, scp_user, media):
    AnnualReviewFactory(fiche=open_year, year=2025, status=ReviewStatus.SUBMITTED)
    _refused(media, WorkflowError, "a été soumis", lambda: add_file(open_year, pilot11))
    add_file(open_year, scp_user)


def test_a_plan_in_preparation_refuses_evidence(next_plan, scp_user, media):
    fiche = Fiche.objects.select_related("plan").get(plan=next_plan, number=11)
    _refused(media, PlanStateRefused, "est en préparation", lambda: add_file(fiche, scp_user, year=2027))


@pytest.mark.parametrize("who", ["pilot5", "committee_user"])
def test_only_the_fiche_s_pilots_and_scp_add_evidence(open_year, request, media, who):
    user = request.getfixturevalue(who)
    _refused(media, PermissionDenied, "Vous ne pilotez pas cette fiche", lambda: add_file(open_year, user))


def test_removing_keeps_the_row_and_its_history_and_deletes_the_file_after_commit(
    open_year, pilot11, pilot11b, media, django_capture_on_commit_callbacks
):
    evidence = add_file(open_year, pilot11)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence_remove(evidence=evidence, user=pilot11b, seen_version=evidence.version)
    assert len(stored_files(media)) == 1  # not before the commit: a rollback would keep the file
    for callback in callbacks:
        callback()
    assert stored_files(media) == []
    evidence.refresh_from_db()
    assert evidence.is_removed and evidence.removed_by == pilot11b and evidence.file_name == "pv.pdf"
    assert [(h.history_type, h.history_user) for h in evidence.history.order_by("history_id")] == [
        ("+", pilot11),
        ("~", pilot11b),
    ]
    assert not Evidence.objects.current().exists()
    with pytest.raises(EvidenceError, match="a déjà été retirée"):
        evidence_remove(evidence=evidence, user=pilot11, seen_version=evidence.version)


def test_a_stale_removal_writes_nothing(open_year, pilot11, media, django_capture_on_commit_callbacks):
    evidence = add_file(open_year, pilot11)
    before = database_state()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(StaleWrite, match="a été modifié par"),
    ):
        evidence_remove(evidence=evidence, user=pilot11, seen_version=evidence.version - 1)
    assert database_state() == before and len(stored_files(media)) == 1


def test_a_file_whose_row_was_rolled_back_is_deleted_by_the_cleaner(open_year, pilot11, media):
    kept = add_file(open_year, pilot11)
    with pytest.raises(RuntimeError, match="the caller failed"), transaction.atomic():
        add_file(open_year, pilot11, title="Annulée")
        raise RuntimeError("the caller failed")
    assert len(stored_files(media)) == 2 and Evidence.objects.get() == kept
    assert evidence_orphans_delete(older_than=datetime.timedelta(0)) != []
    assert [path.name for path in stored_files(media)] == [kept.file.name.rsplit("/", 1)[-1]]
