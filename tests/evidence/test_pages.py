"""The evidence's pages: the entry page's section and its add form, removing, downloading, the fiche
page's list; who sees and does what, and the pages' query counts with many files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import Evidence
from tests.evidence.conftest import add_file, add_link, docx_bytes, pdf_bytes, stored_files
from tests.indicators.conftest import client_for, entry_url
from tests.indicators.test_several_plans import count_queries
from tests.utils import database_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_year(campaign2025, fiche11):
    return fiche11


def _add_url(fiche, year=2025):
    return reverse("evidence:add", args=[fiche.plan.slug, fiche.number, year])


def _download_url(evidence, number=None):
    fiche = evidence.fiche
    return reverse("evidence:download", args=[fiche.plan.slug, number or fiche.number, evidence.pk])


def _remove_url(evidence):
    return reverse("evidence:remove", args=[evidence.fiche.plan.slug, evidence.fiche.number, evidence.pk])


def _form(indicator=None, **fields):
    """What the add form posts (its fields are prefixed "preuve-")."""
    data = {"title": "Procès-verbal du comité", "dated": "2025-03-12", "url": "", "attached_to": ""}
    if indicator is not None:
        data["attached_to"] = f"i{indicator.pk}"
    return {f"preuve-{name}": value for name, value in (data | fields).items()}


def test_a_pilot_attaches_a_pdf_to_a_value_from_the_entry_page(open_year, pilot11, media):
    client = client_for(pilot11)
    indicator = open_year.indicators.order_by("position").first()
    page = client.get(entry_url(open_year)).content.decode()
    assert (
        'id="preuves"' in page
        and 'enctype="multipart/form-data"' in page
        and "Aucune preuve pour 2025" in page
    )
    data = _form(indicator, upload=SimpleUploadedFile("../../pv.pdf", pdf_bytes()))
    response = client.post(_add_url(open_year), data)
    assert response.status_code == 302 and response["Location"] == entry_url(open_year) + "#preuves"
    evidence = Evidence.objects.get()
    assert (evidence.indicator, evidence.added_by, evidence.file_name) == (indicator, pilot11, "pv.pdf")
    page = client.get(entry_url(open_year)).content.decode()
    assert "Procès-verbal du comité" in page and _download_url(evidence) in page
    assert f"Indicateur {indicator.code}" in page and "1 preuve</a>" in page
    assert _remove_url(evidence) in page


def test_a_refused_file_is_said_next_to_the_field_the_typing_kept_nothing_written(open_year, pilot11, media):
    client = client_for(pilot11)
    before = database_state()
    data = _form(title="Heures d'insertion 2025", upload=SimpleUploadedFile("heures.xlsx", docx_bytes()))
    response = client.post(_add_url(open_year), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_preuve-upload_error"' in page and "celui d&#x27;un fichier DOCX" in page
    assert 'value="Heures d&#x27;insertion 2025"' in page and 'value="2025-03-12"' in page
    assert "rien n'a été enregistré" in page
    assert database_state() == before and stored_files(media) == []


def test_a_script_file_name_is_refused_next_to_the_file_field_nothing_stored(open_year, pilot11, media):
    client = client_for(pilot11)
    before = database_state()
    data = _form(title="Procès-verbal", upload=SimpleUploadedFile("<script>.pdf", pdf_bytes()))
    response = client.post(_add_url(open_year), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_preuve-upload_error"' in page and "« &lt;script&gt;.pdf » n&#x27;est pas accepté" in page
    assert "<script>.pdf" not in page and 'value="Procès-verbal"' in page
    assert database_state() == before and stored_files(media) == []


def test_a_bad_link_is_said_next_to_its_field(open_year, pilot11):
    response = client_for(pilot11).post(_add_url(open_year), _form(url="javascript:alert(1)"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_preuve-url_error"' in page and 'value="javascript:alert(1)"' in page
    assert not Evidence.objects.exists()


def test_an_upload_to_a_validated_year_is_refused_with_its_reason(open_year, pilot11, media):
    from tests.factories import AnnualReviewFactory

    AnnualReviewFactory(fiche=open_year, year=2024, validated=True)
    client = client_for(pilot11)
    assert "est validé" in client.get(_add_url(open_year, 2024)).content.decode()
    response = client.post(_add_url(open_year, 2024), _form(upload=SimpleUploadedFile("pv.pdf", pdf_bytes())))
    assert (
        response.status_code == 400 and "Le bilan 2024 de la fiche 11 est validé" in response.content.decode()
    )
    assert not Evidence.objects.exists() and stored_files(media) == []
    page = client.get(entry_url(open_year, 2024)).content.decode()
    assert 'id="preuve-ajout"' not in page


def test_the_file_is_downloaded_as_an_attachment_under_its_safe_name(
    open_year, pilot11, committee_user, scp_user
):
    evidence = add_file(open_year, pilot11, name="PV: comité.pdf")
    for user in (pilot11, committee_user, scp_user):
        response = client_for(user).get(_download_url(evidence))
        assert response.status_code == 200
        assert response["Content-Disposition"] == "attachment; filename*=utf-8''PV_%20comit%C3%A9.pdf"
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_pilot_of_another_fiche_gets_403_even_guessing_the_address(open_year, pilot11, pilot5):
    evidence = add_file(open_year, pilot11)
    client = client_for(pilot5)
    assert client.get(_download_url(evidence)).status_code == 403
    assert client.get(_download_url(evidence, number=5)).status_code == 404  # not one of fiche 5's
    missing = reverse("evidence:download", args=[open_year.plan.slug, 11, evidence.pk + 1000])
    assert client.get(missing).status_code == 403  # refused before anything is looked up
    assert client.post(_remove_url(evidence), {"version": evidence.version}).status_code == 403
    assert not Evidence.objects.get().is_removed


def test_an_anonymous_visitor_is_sent_to_the_login_page(open_year, pilot11, client):
    evidence = add_file(open_year, pilot11)
    response = client.get(_download_url(evidence))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next=")


def test_removing_from_the_entry_page(open_year, pilot11, media, django_capture_on_commit_callbacks):
    evidence = add_file(open_year, pilot11)
    client = client_for(pilot11)
    stale = client.post(_remove_url(evidence), {"version": evidence.version + 3}, follow=True)
    assert "a été modifié par" in stale.content.decode() and not Evidence.objects.get().is_removed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_remove_url(evidence), {"version": evidence.version})
    assert response.status_code == 302 and Evidence.objects.get().is_removed and stored_files(media) == []
    assert client.get(_download_url(evidence)).status_code == 404  # removed: its file is gone
    assert client.post(_remove_url(evidence), {"version": evidence.version + 1}).status_code == 404
    assert "Procès-verbal du comité" not in client.get(entry_url(open_year)).content.decode()


def test_the_comite_reads_the_evidence_without_changing_it(open_year, pilot11, committee_user):
    evidence = add_file(open_year, pilot11)
    add_link(open_year, pilot11, url="https://example.org/deliberation?a=1&b=2")
    client = client_for(committee_user)
    page = client.get(entry_url(open_year)).content.decode()
    assert "Procès-verbal du comité" in page and _download_url(evidence) in page
    assert 'href="https://example.org/deliberation?a=1&amp;b=2"' in page
    assert _remove_url(evidence) not in page and 'id="preuve-ajout"' not in page
    assert client.get(_add_url(open_year)).status_code == 403


def test_the_fiche_page_lists_every_year_s_evidence_to_those_who_may_read_it(
    open_year, pilot11, pilot5, committee_user, scp_user
):
    evidence = add_file(open_year, pilot11, title="Bilan des heures ZQ-preuve-fiche")
    url = reverse("indicators:fiche_detail", args=[open_year.plan.slug, 11])
    for user in (committee_user, scp_user, pilot11):
        page = client_for(user).get(url).content.decode()
        assert "ZQ-preuve-fiche" in page and _download_url(evidence) in page, user
    assert "ZQ-preuve-fiche" not in client_for(pilot5).get(url).content.decode()


def test_the_entry_page_keeps_its_query_count_with_20_evidence_files(
    open_year, pilot11, django_assert_max_num_queries
):
    client = client_for(pilot11)
    indicators = list(open_year.indicators.all())
    client.get(entry_url(open_year))  # warm: the session, the rights in the cache
    with django_assert_max_num_queries(100) as empty:
        client.get(entry_url(open_year))
    baseline = len(empty.captured_queries)  # now: the next request empties the connection's log
    assert baseline <= 10  # the session, the user, the rights, the fiche-year, the section: one query
    for n in range(20):
        add_file(open_year, pilot11, title=f"Preuve {n}", indicator=indicators[n % len(indicators)])
    client.get(entry_url(open_year))
    # The section is one query whatever the number of files (authors, indicators joined).
    with django_assert_max_num_queries(baseline):
        page = client.get(entry_url(open_year)).content.decode()
    assert page.count('<tr id="preuve-') == 20


def test_the_fiche_page_keeps_its_query_count_with_20_evidence_files(
    open_year, pilot11, committee_user, django_assert_max_num_queries
):
    client = client_for(committee_user)
    url = reverse("indicators:fiche_detail", args=[open_year.plan.slug, 11])
    add_link(open_year, pilot11, title="Preuve", url="https://example.org/0")
    one = count_queries(client, url)
    for n in range(1, 20):
        add_link(open_year, pilot11, title=f"Preuve {n}", url=f"https://example.org/{n}")
    # Rendered again after the writes (nothing cached): the evidence is one query whatever its number.
    with django_assert_max_num_queries(one):
        page = client.get(url).content.decode()
    assert page.count('href="https://example.org/') == 20
