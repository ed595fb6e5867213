"""Who sees which bilan page: every page x every role."""

import pytest
from django.urls import reverse

from reporting.models import PublishedBilan
from reporting.services import bilan_publish, published_bilan_set_public

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "pilot", "other_pilot", "committee", "scp")

# page -> (method, expected status for anonymous, pilot, other pilot, comité, SCP)
TABLE = {
    "bilan_list": ("get", 302, 200, 200, 200, 200),
    "bilan_detail": ("get", 302, 200, 200, 200, 200),
    "bilan_pdf": ("get", 302, 403, 403, 200, 200),
    "final_detail": ("get", 302, 200, 200, 200, 200),
    "final_pdf": ("get", 302, 403, 403, 200, 200),
    "bilan_publish": ("post", 302, 403, 403, 403, 302),
    "final_publish": ("post", 302, 403, 403, 403, 302),
    "published_detail": ("get", 302, 200, 200, 200, 200),
    "published_pdf": ("get", 302, 403, 403, 200, 200),
    "public_detail_unpublished": ("get", 404, 404, 404, 404, 404),
    "public_pdf_unpublished": ("get", 404, 404, 404, 404, 404),
    # Last: SCP makes the private version public.
    "published_set_public": ("post", 302, 403, 403, 403, 302),
    "public_list": ("get", 200, 200, 200, 200, 200),
    "public_detail": ("get", 200, 200, 200, 200, 200),
    "public_pdf": ("get", 200, 200, 200, 200, 200),
}


def url_of(page, public, private):
    if page in ("bilan_detail", "bilan_pdf", "bilan_publish"):
        return reverse(f"reporting:{page}", args=[2025])
    if page in ("published_detail", "published_pdf", "published_set_public"):
        return reverse(f"reporting:{page}", args=[private.pk])
    if page in ("public_detail", "public_pdf"):
        return reverse(f"reporting:{page}", args=[public.pk])
    if page.endswith("_unpublished"):
        return reverse(f"reporting:{page.removesuffix('_unpublished')}", args=[private.pk])
    return reverse(f"reporting:{page}")


@pytest.mark.parametrize("role", ROLES)
def test_permission_table(client, role_users, small_plan, scp_user, role):
    public = bilan_publish(plan=small_plan, year=2024, user=scp_user)
    published_bilan_set_public(bilan=public, is_public=True, user=scp_user)
    private = bilan_publish(plan=small_plan, year=2023, user=scp_user)
    if role_users[role]:
        client.force_login(role_users[role])
    index = ROLES.index(role) + 1
    for page, row in TABLE.items():
        method, expected = row[0], row[index]
        url = url_of(page, public, private)
        response = getattr(client, method)(url, {"is_public": "1"} if page == "published_set_public" else {})
        assert response.status_code == expected, (page, role, url)
        if expected == 302 and role == "anonymous":
            assert response["Location"].startswith("/connexion/?next="), page
    published = PublishedBilan.objects.count()
    assert published == (4 if role == "scp" else 2)  # only SCP published (a 2025 and an end-of-plan version)
    private.refresh_from_db()
    assert private.is_public == (role == "scp")


def test_pilot_page_has_no_pdf_link_and_no_publish_button(client, pilot11, small_plan):
    client.force_login(pilot11)
    page = client.get(reverse("reporting:bilan_detail", args=[2025])).content.decode()
    assert reverse("reporting:bilan_pdf", args=[2025]) not in page
    assert reverse("reporting:bilan_publish", args=[2025]) not in page
    assert "Fiche 11" in page


def test_committee_sees_pdf_link_but_no_publish_button(client, committee_user, small_plan):
    client.force_login(committee_user)
    page = client.get(reverse("reporting:bilan_detail", args=[2025])).content.decode()
    assert reverse("reporting:bilan_pdf", args=[2025]) in page
    assert reverse("reporting:bilan_publish", args=[2025]) not in page


def test_year_outside_the_plan_is_404(client, committee_user, small_plan):
    client.force_login(committee_user)
    assert client.get(reverse("reporting:bilan_detail", args=[2019])).status_code == 404
    assert client.get(reverse("reporting:bilan_pdf", args=[2031])).status_code == 404
