"""Who may do what (core.rights), as a table: every right x every role -> allowed or not; and the
pages show a link or a button only to those the target lets in.
"""

import html

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client
from django.urls import reverse

from actions.models import Fiche
from core import rights
from tests.factories import PASSWORD, UserFactory, user_in_role
from tests.utils import get_through_job

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "pilot",
    "other_pilot",
    "committee",
    "scp",
    "superuser",
    "no_role",
    "post_without_group",
)
EVERY_MEMBER = {"pilot", "other_pilot", "committee", "scp", "superuser"}
SCP = {"scp", "superuser"}  # superusers count as SCP

# right -> the roles that hold it; rights about a fiche are asked about fiche 11, which "pilot" pilots.
RIGHTS = {
    "may_read_plan": EVERY_MEMBER,
    "may_see_unvalidated": {"pilot", "committee"} | SCP,
    "may_enter": {"pilot"} | SCP,
    "may_read_entry": {"pilot", "committee"} | SCP,
    "may_validate": SCP,
    "may_return": SCP,
    "may_reopen": SCP,
    "may_run_campaigns": SCP,
    "may_edit_plan": SCP,
    "may_import": SCP,
    "may_export": {"committee"} | SCP,
    "may_download_bilan": {"committee"} | SCP,
    "may_publish": SCP,
}
ABOUT_A_FICHE = {"may_see_unvalidated", "may_enter", "may_read_entry"}


def role_user(role: str, plan) -> User | AnonymousUser:
    """A fresh account of `role` (rights are read once per user object, as once per request)."""
    fiche11 = Fiche.objects.get(plan=plan, number=11)
    if role == "anonymous":
        return AnonymousUser()
    if role == "pilot":
        return user_in_role(rights.PILOTS_GROUP, pilot_of=fiche11)
    if role == "other_pilot":
        return user_in_role(rights.PILOTS_GROUP, pilot_of=Fiche.objects.get(plan=plan, number=5))
    if role == "committee":
        return user_in_role(rights.COMMITTEE_GROUP)
    if role == "scp":
        return user_in_role(rights.SCP_GROUP)
    if role == "superuser":
        return User.objects.create_superuser("administrateur", "admin@example.org", PASSWORD)
    if role == "post_without_group":
        # Still attached to fiche 11's post, but SCP took them out of the pilots' group: no right left.
        user = UserFactory()
        fiche11.ordered_pilots()[0].users.add(user)
        return user
    return UserFactory()  # logged in, in no role group


@pytest.mark.parametrize(
    ("right", "role"), [pytest.param(right, role, id=f"{right}-{role}") for right in RIGHTS for role in ROLES]
)
def test_rights_table(spaser54, right, role):
    user = role_user(role, spaser54)
    check = getattr(rights, right)
    fiche11 = Fiche.objects.get(plan=spaser54, number=11)

    allowed = check(user, fiche11) if right in ABOUT_A_FICHE else check(user)

    assert allowed is (role in RIGHTS[right])


@pytest.mark.parametrize("role", ROLES)
def test_templates_ask_the_same_rights_as_the_code(spaser54, role):
    """`{% if rights.may_export %}` in a template is `rights.may_export(user)`."""
    user = role_user(role, spaser54)
    for_templates = rights.UserRights(user)
    for name in ("may_read_plan", "may_run_campaigns", "may_edit_plan", "may_export", "may_download_bilan"):
        assert getattr(for_templates, name) is getattr(rights, name)(user), name
    assert for_templates.is_pilot is (role in {"pilot", "other_pilot"})


# --- the pages show only what the user may follow ---------------------------------------------------

PAGE_ROLES = ("pilot", "other_pilot", "committee", "scp", "superuser")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def links(plan) -> list[tuple[str, str, str]]:
    """(page, link, right): the link is on the page for exactly the users holding the right."""
    plan_page = reverse("indicators:plan_detail", args=[plan.slug])
    bilan_page = reverse("reporting:bilan_detail", args=[plan.slug, 2025])
    return [
        (plan_page, reverse("actions:plan_xlsx", args=[plan.slug]), "may_export"),
        (plan_page, reverse("indicators:values_xlsx", args=[plan.slug]), "may_export"),
        (plan_page, reverse("indicators:campaigns", args=[plan.slug]), "may_run_campaigns"),
        (bilan_page, reverse("reporting:bilan_pdf", args=[plan.slug, 2025]), "may_download_bilan"),
        (bilan_page, reverse("indicators:values_xlsx", args=[plan.slug]), "may_export"),
        (
            reverse("reporting:bilan_list", args=[plan.slug]),
            reverse("reporting:bilan_pdf", args=[plan.slug, 2024]),
            "may_download_bilan",
        ),
    ]


@pytest.fixture
def two_fiche_plan(spaser54):
    """SPASER 54 cut down to fiches 5 and 11: a bilan PDF renders in a second."""
    Fiche.objects.filter(plan=spaser54).exclude(number__in=[5, 11]).delete()
    return spaser54


@pytest.mark.parametrize("role", PAGE_ROLES)
def test_a_page_shows_a_link_only_to_those_who_may_follow_it(two_fiche_plan, role):
    user = role_user(role, two_fiche_plan)
    client = logged_in(user)
    pages: dict[str, str] = {}
    for page, link, right in links(two_fiche_plan):
        if page not in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            pages[page] = html.unescape(response.content.decode())
        allowed = getattr(rights, right)(user)

        assert (f'href="{link}"' in pages[page]) is allowed, (page, link)
        assert get_through_job(client, link).status_code == (200 if allowed else 403), link


@pytest.mark.parametrize("role", PAGE_ROLES)
def test_only_scp_sees_the_publish_button_and_the_administration(two_fiche_plan, role):
    user = role_user(role, two_fiche_plan)
    client = logged_in(user)
    publish = reverse("reporting:bilan_publish", args=[two_fiche_plan.slug, 2025])
    page = client.get(reverse("reporting:bilan_detail", args=[two_fiche_plan.slug, 2025])).content.decode()

    assert (f'action="{publish}"' in page) is rights.may_publish(user)
    assert (f'href="{reverse("admin:index")}"' in page) is rights.may_edit_plan(user)
    if not rights.may_publish(user):
        assert client.post(publish).status_code == 403
    if not rights.may_edit_plan(user):
        assert client.get(reverse("admin:index")).status_code == 302  # to the admin's login page


@pytest.mark.parametrize("role", ("no_role", "post_without_group"))
def test_a_logged_in_user_without_a_role_reads_nothing(spaser54, role):
    client = logged_in(role_user(role, spaser54))
    fiche_page = reverse("indicators:fiche_detail", args=[spaser54.slug, 11])
    for url in (
        reverse("indicators:plan_detail", args=[spaser54.slug]),
        fiche_page,
        reverse("reporting:bilan_detail", args=[spaser54.slug, 2025]),
    ):
        assert client.get(url).status_code == 403, url
