"""Every URL of the site against every role gives the expected answer.

The URL patterns are read from the resolver: a new URL without a line in EXPECTED fails
`test_every_url_has_an_expected_answer`, so no page goes out without its rights being decided.
Roles: anonymous, the pilot of the fiche (fiche 11), another pilot (fiche 5), a comité member, SCP.
Answers: an HTTP status, or LOGIN (sent to the login page with `next`).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from actions.models import Fiche
from reporting.models import PublishedBilan
from reporting.services import published_bilan_set_public
from tests.security.conftest import Site

pytestmark = pytest.mark.django_db

LOGIN = "login"
ROLES = ("anonymous", "pilot", "other_pilot", "committee", "scp")


@dataclass(frozen=True)
class Expected:
    args: Callable[[Site], list]
    anonymous: int | str
    pilot: int | str
    other_pilot: int | str
    committee: int | str
    scp: int | str


def every_role(answer, anonymous=LOGIN, args=lambda site: []):
    return Expected(args, anonymous, answer, answer, answer, answer)


def roles_answer(args=lambda site: [], *, anonymous=LOGIN, pilot, other_pilot, committee, scp):
    return Expected(args, anonymous, pilot, other_pilot, committee, scp)


SLUG = lambda site: [site.plan.slug]  # noqa: E731
YEAR = lambda site: [site.bilan_year]  # noqa: E731
PUBLISHED = lambda site: [site.published]  # noqa: E731
SCP_ONLY = {"pilot": 403, "other_pilot": 403, "committee": 403, "scp": 200}
READERS = {"pilot": 403, "other_pilot": 403, "committee": 200, "scp": 200}  # comité and SCP: PDF, Excel

# url name -> expected answer per role. Add a line here for every new URL.
EXPECTED: dict[str, Expected] = {
    "home": every_role(302),
    "login": every_role(302, anonymous=200),  # a logged-in user is sent on
    "logout": every_role(405),  # GET does nothing; logging out is a POST (CSRF-protected)
    "actions:plan_current": every_role(302),
    "actions:plan_detail": every_role(200, args=SLUG),
    "actions:fiche_detail": every_role(200, args=lambda site: [site.plan.slug, 11]),
    # The pilot's workspace and entry page (issue 3); campaigns are SCP's.
    "indicators:my_fiches": every_role(200),
    "indicators:entry": roles_answer(
        lambda site: [site.plan.slug, 11, site.year], pilot=200, other_pilot=403, committee=200, scp=200
    ),
    "indicators:campaigns": roles_answer(**SCP_ONLY),
    "indicators:campaign": roles_answer(lambda site: [site.year], **SCP_ONLY),
    "indicators:campaign_close": every_role(405, args=lambda site: [site.year]),  # POST only
    "indicators:campaign_fiche_action": every_role(405, args=lambda site: [site.year, 11, "valider"]),
    # Excel exports (issue 5).
    "exports:plan_xlsx": roles_answer(SLUG, **READERS),
    "exports:values_xlsx": roles_answer(SLUG, **READERS),
    # Bilans (issue 4): pages for every role, PDFs for comité and SCP, publishing for SCP (POST).
    "reporting:bilan_list": every_role(200),
    "reporting:bilan_detail": every_role(200, args=YEAR),
    "reporting:bilan_pdf": roles_answer(YEAR, **READERS),
    "reporting:bilan_publish": every_role(405, args=YEAR),
    "reporting:final_detail": every_role(200),
    "reporting:final_pdf": roles_answer(**READERS),
    "reporting:final_publish": every_role(405),
    "reporting:published_detail": every_role(200, args=PUBLISHED),
    "reporting:published_pdf": roles_answer(PUBLISHED, **READERS),
    "reporting:published_set_public": every_role(405, args=PUBLISHED),
    # What SCP made public is readable without logging in.
    "reporting:public_list": every_role(200, anonymous=200),
    "reporting:public_detail": every_role(200, anonymous=200, args=PUBLISHED),
    "reporting:public_pdf": every_role(200, anonymous=200, args=PUBLISHED),
}

# Admin views checked on every registered model; other admin URLs (index, password, logout, ...).
ADMIN_MODEL_VIEWS = ("changelist", "add", "change", "history", "delete")
# Admin pages SCP may not open: creating or deleting role groups, adding lockout records, adding a
# published bilan by hand (publishing is done from the bilan page).
SCP_FORBIDDEN = {
    "auth_group_add",
    "auth_group_delete",
    "axes_accessattempt_add",
    "axes_accesslog_add",
    "axes_accessfailurelog_add",
    "axes_accessattemptexpiration_add",
    "reporting_publishedbilan_add",
}


def site_url_names(resolver: URLResolver | None = None, prefix: str = "") -> tuple[set[str], set[str]]:
    """Named URLs of the site (outside the admin) and the patterns that have no name."""
    names, unnamed = set(), set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            sub_names, sub_unnamed = site_url_names(pattern, namespace)
            names |= sub_names
            unnamed |= sub_unnamed
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                names.add(prefix + pattern.name)
            else:
                unnamed.add(str(pattern.pattern))
    return names, unnamed


def test_every_url_has_an_expected_answer():
    names, unnamed = site_url_names()
    assert unnamed == set(), "every URL needs a name (to be listed in EXPECTED)"
    missing = sorted(names - EXPECTED.keys())
    assert missing == [], f"add these URLs to EXPECTED in {__file__}: {missing}"
    assert sorted(EXPECTED.keys() - names) == [], "EXPECTED lists URLs that no longer exist"


def check(response, expected, label):
    if expected == LOGIN:
        assert response.status_code == 302, label
        assert response["Location"].startswith(reverse("login") + "?next="), label
    else:
        assert response.status_code == expected, label


def site_urls(site: Site) -> list[tuple[str, str, Expected]]:
    return [(name, reverse(name, args=expected.args(site)), expected) for name, expected in EXPECTED.items()]


def test_every_page_against_every_role(client, role_users, site):
    for role in ROLES:
        client.logout()
        if role_users[role]:
            client.force_login(role_users[role])
        for name, url, expected in site_urls(site):
            check(client.get(url), getattr(expected, role), f"{role} {name} {url}")


def test_a_bilan_not_made_public_is_not_readable_without_login(client, role_users, site):
    published_bilan_set_public(bilan=PublishedBilan.objects.get(), is_public=False, user=role_users["scp"])
    for name in ("reporting:public_detail", "reporting:public_pdf"):
        assert client.get(reverse(name, args=[site.published])).status_code == 404
    page = client.get(reverse("reporting:public_list")).content.decode()
    assert reverse("reporting:public_detail", args=[site.published]) not in page


def admin_urls():
    """(url name, url) of every admin page: each registered model's views, and the site's own."""
    urls = []
    for model in admin.site._registry:
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        obj = model._default_manager.order_by("pk").first()
        for view in ADMIN_MODEL_VIEWS:
            if view in ("changelist", "add"):
                urls.append((f"{info}_{view}", reverse(f"admin:{info}_{view}")))
            elif obj is not None:
                urls.append((f"{info}_{view}", reverse(f"admin:{info}_{view}", args=[obj.pk])))
    urls.append(("index", reverse("admin:index")))
    urls.append(("password_change", reverse("admin:password_change")))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_against_every_role(client, role_users, spaser54, role):
    """Only SCP staff get into the admin; the others are sent to a login page, never shown data."""
    user = role_users[role]
    if user:
        client.force_login(user)
    fiche = Fiche.objects.get(plan=spaser54, number=11)
    assert fiche.pk  # objects exist for every change page of the plan's models
    for name, url in admin_urls():
        response = client.get(url)
        label = f"{role} {url}"
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/connexion/"), label
        elif role != "scp":
            assert response.status_code == 302 and "/admin/login/" in response["Location"], label
        elif name in SCP_FORBIDDEN:
            assert response.status_code == 403, label
        else:
            assert response.status_code == 200, label
