"""The public site's legal pages: the accessibility statement (RGAA), the legal notice (LCEN) and the
personal data page (RGPD), readable without an account, their content set by SCP in the admin, the
accessibility status in every public page's footer, through the pages' cache and HTTP validators."""

import re
import time
from email.utils import parsedate_to_datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from core.versioning import StaleWrite
from public.enums import ConformityStatus
from public.models import LegalInformation
from public.services import legal_information_save
from tests.public.conftest import crawl, readable_text
from tests.utils import form_data

pytestmark = pytest.mark.django_db

LEGAL_PAGES = ("public:accessibility", "public:legal_notice", "public:personal_data")
ADD_URL = reverse("admin:public_legalinformation_add")


def page(client: Client, name: str, *args, **headers):
    return client.get(reverse(name, args=args), **headers)


def text(response) -> str:
    return response.content.decode()


def footer(html: str) -> str:
    return re.search(r'<footer class="site-footer">.*?</footer>', html, re.S)[0]


def admin_post(client: Client, url: str, **changes):
    """The admin's form for the record as a browser would send it, with `changes` typed in."""
    data = form_data(text(client.get(url)), "legalinformation_form")
    data.update({name: [str(value)] for name, value in changes.items()})
    return client.post(
        url, {name: values[0] if len(values) == 1 else values for name, values in data.items()}
    )


@pytest.fixture
def scp_client(scp_user) -> Client:
    client = Client()
    client.force_login(scp_user)
    return client


def test_without_a_record_the_pages_say_what_to_fill_in(client):
    assert not LegalInformation.objects.exists()
    statement, notice, personal = (readable_text(page(client, name)) for name in LEGAL_PAGES)
    # The RGAA model statement's sections, with the status "non conforme" (no audit yet).
    for heading in (
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Technologies utilisées",
        "Environnement de test",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        assert heading in statement, heading
    assert "<strong>non conforme</strong>" in statement and "faute d'audit" in statement
    assert "Défenseur des droits" in statement and "[À compléter : date de la déclaration]" in statement
    # LCEN: éditeur, directeur de la publication, hébergeur, contact; unfilled, and visibly so.
    for what in (
        "nom et fonction du directeur de la publication",
        "nom ou raison sociale de l'hébergeur du site",
    ):
        assert f"[À compléter : {what}]" in notice, what
    # RGPD: the purposes and legal basis are the application's; the rest is for SCP to write.
    assert "mission d'intérêt public" in personal and "ne dépose aucun cookie" in personal
    assert "[À compléter : coordonnées du délégué à la protection des données]" in personal
    assert "CNIL" in personal and "articles 15 à 21 du RGPD" in personal


def test_anonymous_visitors_read_them_and_get_no_cookie(client):
    for name in LEGAL_PAGES:
        response = page(client, name)
        assert response.status_code == 200 and not response.cookies, name
        assert "public" in response["Cache-Control"] and response["ETag"]


def test_every_public_page_states_the_status_and_links_the_legal_pages(client, public_plan):
    pages = {path: r for path, r in crawl(client).items() if r["Content-Type"].startswith("text/html")}
    assert {reverse(name) for name in LEGAL_PAGES} <= pages.keys()  # reached through the footer
    for path, response in pages.items():
        found = footer(text(response))
        assert "Accessibilité : non conforme</a>" in found, path
        for name in LEGAL_PAGES:
            assert f'href="{reverse(name)}"' in found, path
    sitemap = text(client.get("/sitemap.xml"))
    assert all(f"http://testserver{reverse(name)}</loc>" in sitemap for name in LEGAL_PAGES)


def test_scp_edits_in_the_admin_show_on_the_pages_and_footers_past_the_cache(client, scp_client, public_plan):
    urls = [
        reverse("public:index"),
        reverse("public:plan", args=[public_plan.slug]),
        reverse("public:fiche", args=[public_plan.slug, 11]),
        *map(reverse, LEGAL_PAGES),
    ]
    before = {url: client.get(url) for url in urls}
    time.sleep(1)  # Last-Modified counts in seconds: an edit in the same second cannot be told apart
    response = admin_post(
        scp_client,
        ADD_URL,
        publisher="Département de Meurthe-et-Moselle",
        publication_director="Mme Zqdirectrice, présidente",
        conformity_status=ConformityStatus.PARTIAL,
        conformity_rate="75.5",
        audit_date="2026-10-15",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    for url, old in before.items():
        validators = {"HTTP_IF_NONE_MATCH": old["ETag"], "HTTP_IF_MODIFIED_SINCE": old["Last-Modified"]}
        for headers in (
            {"HTTP_IF_NONE_MATCH": old["ETag"]},
            {"HTTP_IF_MODIFIED_SINCE": old["Last-Modified"]},
        ):
            new = client.get(url, **headers)
            assert new.status_code == 200, (url, headers)
        assert client.get(url, **validators).status_code == 200, url
        assert "Accessibilité : partiellement conforme</a>" in footer(text(new)), url
    statement = text(page(client, "public:accessibility"))
    assert "<strong>partiellement conforme</strong>" in statement
    assert "le 15 octobre 2026" in statement and "75,5 % des critères" in statement
    assert "Mme Zqdirectrice, présidente" in text(page(client, "public:legal_notice"))

    record = LegalInformation.objects.get()
    response = admin_post(
        scp_client,
        reverse("admin:public_legalinformation_change", args=[record.pk]),
        conformity_status=ConformityStatus.FULL,
        conformity_rate="100",
    )
    assert response.status_code == 302
    assert "Accessibilité : totalement conforme</a>" in text(
        page(client, "public:fiche", public_plan.slug, 11)
    )
    assert [row.history_user.username for row in record.history.all()] == ["scp", "scp"]


def test_a_status_the_audit_does_not_support_is_refused_next_to_the_field(scp_client):
    response = admin_post(scp_client, ADD_URL, conformity_status=ConformityStatus.FULL, conformity_rate="80")
    assert response.status_code == 200 and not LegalInformation.objects.exists()
    assert "« Totalement conforme » suppose 100 % des critères respectés." in readable_text(response)
    assert "Indiquez la date de l'audit" in readable_text(response)
    response = admin_post(scp_client, ADD_URL, conformity_rate="62")  # "non conforme" at 62 %
    assert "partiellement conforme" in readable_text(response) and not LegalInformation.objects.exists()


def test_the_admin_keeps_one_record_and_never_deletes_it(scp_client, scp_user):
    assert admin_post(scp_client, ADD_URL).status_code == 302
    record = LegalInformation.objects.get()
    assert scp_client.get(ADD_URL).status_code == 403
    assert (
        scp_client.get(reverse("admin:public_legalinformation_delete", args=[record.pk])).status_code == 403
    )
    changelist = text(scp_client.get(reverse("admin:public_legalinformation_changelist")))
    assert "Informations légales du site" in changelist
    change = text(scp_client.get(reverse("admin:public_legalinformation_change", args=[record.pk])))
    assert "Champs encore à compléter" in change and "directeur de la publication" in change


def test_a_stale_form_or_another_role_writes_nothing(scp_client, scp_user, committee_user):
    assert admin_post(scp_client, ADD_URL).status_code == 302
    record = LegalInformation.objects.get()
    url = reverse("admin:public_legalinformation_change", args=[record.pk])
    data = form_data(text(scp_client.get(url)), "legalinformation_form")
    legal_information_save(information=record, user=scp_user, seen_version=record.version)  # meanwhile
    data["publisher"] = ["Écrasé"]
    response = scp_client.post(url, {name: values[0] for name, values in data.items()})
    assert response.status_code == 200 and "Écrasé" in text(response)  # typing kept, error shown
    assert LegalInformation.objects.get().publisher != "Écrasé"
    with pytest.raises(StaleWrite, match="modifié"):
        legal_information_save(information=record, user=scp_user, seen_version=1)
    with pytest.raises(PermissionDenied, match="service commande publique"):
        legal_information_save(information=record, user=committee_user, seen_version=None)


def test_text_is_shown_as_text_with_its_paragraphs(client, scp_user):
    record = LegalInformation(
        publisher="Zq <script>alert(1)</script>",
        contact="Premier paragraphe <b>gras</b>\n\nSecond paragraphe",
        purposes="<img src=x onerror=alert(2)>",
    )
    legal_information_save(information=record, user=scp_user, seen_version=None)
    for name in LEGAL_PAGES:
        html = text(page(client, name))
        assert "<script>alert" not in html and "<b>gras" not in html and "<img src=x" not in html, name
    assert "Zq &lt;script&gt;alert(1)&lt;/script&gt;" in text(page(client, "public:legal_notice"))
    assert "<p>Premier paragraphe &lt;b&gt;gras&lt;/b&gt;</p>\n\n<p>Second paragraphe</p>" in text(
        page(client, "public:accessibility")
    )


def test_the_legal_pages_and_the_footer_cost_one_query_per_state_of_the_data(
    public_plan, django_assert_num_queries, django_assert_max_num_queries
):
    client = Client()
    with django_assert_num_queries(1):  # the record (none yet: the defaults)
        assert page(client, "public:accessibility").status_code == 200
    with django_assert_num_queries(0):  # the other pages read it from the cache, as every footer does
        for name in LEGAL_PAGES[1:]:
            assert page(client, name).status_code == 200
    with django_assert_max_num_queries(2):  # the public plans (the record is already read)
        assert page(client, "public:index").status_code == 200
    with django_assert_num_queries(0):
        for name in LEGAL_PAGES:
            assert page(client, name).status_code == 200


def test_last_modified_follows_scp_s_last_edit(client, scp_user):
    legal_information_save(information=LegalInformation(), user=scp_user, seen_version=None)
    changed = LegalInformation.objects.get().updated_at.replace(microsecond=0)
    for name in ("public:legal_notice", "public:index"):
        assert parsedate_to_datetime(page(client, name)["Last-Modified"]) >= changed, name
