"""The permission tables: every URL of the site, and every page of the admin, against every role.

This file is the one place where who may open or post what is checked (core.rights is the one
place where it is decided). The URL patterns are read from the resolver: a new URL without a line in
EXPECTED (site) or a kind of admin page that the admin table does not open fails a test, so no page
goes out without its rights being decided.

Roles: anonymous, the pilot of the fiche (fiche 11), another pilot (fiche 5), a comité member, SCP.
Answers: an HTTP status, or LOGIN (sent to the login page with `next`). A refused POST writes nothing.
"""

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from actions.enums import PlanState
from actions.models import Buyer, Fiche, Plan
from actions.services import plan_publication_set
from contracts.enums import Considerations, Nature
from contracts.models import Contract
from contracts.services import contract_holders_sync
from core.versioning import save_claimed
from discussions.models import Thread
from indicators.services import workflow
from notifications.tokens import preference_token
from reporting.models import PublishedBilan
from reporting.services import published_bilan_set_public
from tests.security.conftest import Site
from tests.utils import database_state, form_data, get_through_job

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
YEAR = lambda site: [site.plan.slug, site.bilan_year]  # noqa: E731
PUBLISHED = lambda site: [site.plan.slug, site.published]  # noqa: E731
CAMPAIGN = lambda site: [site.plan.slug, site.year]  # noqa: E731
PUBLIC_BILAN = lambda site: [site.plan.slug, str(site.bilan_year), 1]  # noqa: E731
ENTRY = lambda site: [site.plan.slug, 11, site.year]  # noqa: E731
SCP_ONLY = {"pilot": 403, "other_pilot": 403, "committee": 403, "scp": 200}
READERS = {"pilot": 403, "other_pilot": 403, "committee": 200, "scp": 200}  # comité and SCP: PDF, Excel
READERS_SENT_ON = {"pilot": 403, "other_pilot": 403, "committee": 302, "scp": 302}
# A live PDF not rendered yet: comité and SCP are sent to the background job that renders it.
READERS_TO_JOB = READERS_SENT_ON
LEGAL_YEAR = lambda site: [site.plan.slug, site.year]  # noqa: E731


def _contract(site: Site) -> list:
    """A contract of the plan's buyer (created on first use): the register's contract page."""
    buyer, _ = Buyer.objects.get_or_create(plan=site.plan, siret="22540001600015", defaults={"name": "CD54"})
    contract, _ = Contract.objects.get_or_create(
        uid=f"{buyer.siret}2025-001",
        defaults={
            "buyer_siret": buyer.siret,
            "contract_id": "2025-001",
            "nature": Nature.CONTRACT,
            "object": "Entretien des routes",
            "notified_on": datetime.date(2025, 3, 12),
            "year": 2025,
            "initial_amount": Decimal("100000"),
            "current_amount": Decimal("100000"),
            "social": Considerations.STATED,
            "social_clause": True,
            "environmental": Considerations.NONE,
            "source_file": "decp.json",
        },
    )
    return [site.plan.slug, contract.pk]


def _national(site: Site) -> list:
    """A national dataset SCP published (created on first use), with a figure of the plan's buyer."""
    from national.models import NationalDataset, NationalFigure

    buyer, _ = Buyer.objects.get_or_create(plan=site.plan, siret="22540001600015", defaults={"name": "CD54"})
    dataset, created = NationalDataset.objects.get_or_create(
        label="DECP consolidées", defaults={"source_date": datetime.date(2026, 11, 1), "published": True}
    )
    if created:
        NationalFigure.objects.create(
            dataset=dataset,
            buyer_siret=buyer.siret,
            buyer_siren=buyer.siret[:9],
            year=2025,
            contracts=4,
            social=1,
            environmental=2,
        )
    return [site.plan.slug]


NATIONAL_YEAR = lambda site: [*_national(site), 2025]  # noqa: E731


def _holder(site: Site) -> list:
    """A holder of the plan's buyer's contract (its rows written as the import writes them)."""
    _, pk = _contract(site)
    contract = Contract.objects.get(pk=pk)
    contract.holders = ["55204599900869"]
    contract.save()
    contract_holders_sync(contracts=[contract])
    return ["55204599900869"]


def _job(site: Site) -> list:
    """A background job the comité member started (the 2025 bilan's PDF), run to its end."""
    from jobs.models import Job
    from jobs.services import job_execute
    from reporting.jobs import bilan_pdf_start

    job = Job.objects.filter(dedup_key__endswith=f":{site.plan.pk}:{site.year}").first()
    if job is None:
        job = bilan_pdf_start(plan=site.plan, year=site.year, user=site.users["committee"])
        job_execute(job_id=job.pk)
    return [job.pk]


def _evidence(site: Site) -> list:
    """The PDF fiche 11's pilot attached to the open year: its download address."""
    return [site.plan.slug, 11, site.evidence]


def _link_evidence(site: Site) -> list:
    """A link fiche 11's pilot attached to the open year, new each time: the remove address."""
    from evidence.services import evidence_add

    fiche = Fiche.objects.select_related("plan").get(plan=site.plan, number=11)
    evidence = evidence_add(
        fiche=fiche,
        year=site.year,
        user=site.users["pilot"],
        title="Délibération",
        dated=datetime.date(2025, 3, 12),
        url="https://example.org/deliberation",
    )
    return [site.plan.slug, 11, evidence.pk]


def _seen_version(site: Site, url: str) -> dict:
    from django.urls import resolve

    from evidence.models import Evidence

    return {"version": str(Evidence.objects.get(pk=resolve(url).kwargs["pk"]).version)}


def _draft(site: Site) -> list:
    """The next plan, in preparation (prepared from the site's plan on first use)."""
    from planning.services import plan_prepare_next

    draft = site.plan.successors.first() or plan_prepare_next(
        old=site.plan, slug="suite", title="Suite", start_year=2027, end_year=2032, user=site.users["scp"]
    )
    return [draft.slug]


# url name -> expected answer to a GET, per role. Add a line here for every new URL.
EXPECTED: dict[str, Expected] = {
    "home": every_role(302, anonymous=200),  # a visitor without an account: the public site's home
    "login": every_role(302, anonymous=200),  # a logged-in user is sent on
    "logout": every_role(405),  # GET does nothing; logging out is a POST (CSRF-protected)
    # Signing in without an account yet: single sign-on (switched off here: 404), a forgotten password
    # (the site's and the admin's link), an invitation's link (invalid here: 400). The person's own pages.
    "oidc_start": every_role(404, anonymous=404),
    "oidc_callback": every_role(404, anonymous=404),
    "password_reset": every_role(200, anonymous=200),
    "password_reset_done": every_role(200, anonymous=200),
    "password_reset_confirm": every_role(200, anonymous=200, args=lambda site: ["MQ", "abc-def"]),
    "password_reset_complete": every_role(200, anonymous=200),
    "admin_password_reset": every_role(302, anonymous=302),
    "invitation_accept": every_role(400, anonymous=400, args=lambda site: ["MQ", "abc-def"]),
    "account": every_role(200),
    "password_change": every_role(200),
    "password_change_done": every_role(200),
    # The plan and its fiches, with their follow-up: for every role (an account without one: 403).
    # The addresses from before the plan was in the URL: the current plan's page (bookmarks).
    "indicators:plan_current": every_role(302),
    "indicators:campaigns_current": every_role(302),
    "indicators:campaign_current": every_role(302, args=lambda site: [site.year]),
    "reporting:bilan_list_current": every_role(302),
    "reporting:bilan_detail_current": every_role(302, args=lambda site: [site.bilan_year]),
    "reporting:bilan_pdf_current": every_role(302, args=lambda site: [site.bilan_year]),
    "reporting:final_detail_current": every_role(302),
    "reporting:final_pdf_current": every_role(302),
    "reporting:published_detail_moved": every_role(302, args=lambda site: [site.published]),
    "reporting:published_pdf_moved": every_role(302, args=lambda site: [site.published]),
    "indicators:plan_detail": every_role(200, args=SLUG),
    "indicators:fiche_detail": every_role(200, args=lambda site: [site.plan.slug, 11]),
    # The pilot's workspace and entry page: the comité reads the entry page; campaigns are SCP's.
    "indicators:my_fiches": every_role(200),
    "indicators:entry": roles_answer(ENTRY, pilot=200, other_pilot=403, committee=200, scp=200),
    "indicators:campaigns": roles_answer(SLUG, **SCP_ONLY),
    # A fiche-year's evidence: added and removed by the fiche's pilots and SCP, read by the comité too
    # (a pilot of another fiche: 403, even guessing the address); never public.
    "evidence:add": roles_answer(ENTRY, pilot=200, other_pilot=403, committee=403, scp=200),
    "evidence:download": roles_answer(_evidence, pilot=200, other_pilot=403, committee=200, scp=200),
    "evidence:remove": every_role(405, args=_evidence),  # POST only
    "indicators:campaign": roles_answer(CAMPAIGN, **SCP_ONLY),
    "indicators:campaign_close": every_role(405, args=CAMPAIGN),  # POST only
    "indicators:campaign_fiche_action": every_role(
        405, args=lambda site: [site.plan.slug, site.year, 11, "valider"]
    ),
    # A fiche-year's discussion: its pilots and SCP write, the comité reads; another pilot, nothing.
    "discussions:threads": roles_answer(ENTRY, pilot=200, other_pilot=403, committee=200, scp=200),
    "discussions:thread_action": every_role(405, args=lambda site: _thread(site, "repondre")),  # POST only
    # Excel exports.
    "actions:plan_xlsx": roles_answer(SLUG, **READERS),
    "indicators:values_xlsx": roles_answer(SLUG, **READERS),
    # Bilans: pages for every role, PDFs for comité and SCP, publishing for SCP (POST).
    "reporting:bilan_list": every_role(200, args=SLUG),
    "reporting:bilan_detail": every_role(200, args=YEAR),
    "reporting:bilan_pdf": roles_answer(YEAR, **READERS_TO_JOB),
    "reporting:bilan_publish": every_role(405, args=YEAR),
    # The audit archive of the year's evidence: SCP only, sent to the background job that builds it.
    "reporting:evidence_archive": roles_answer(YEAR, pilot=403, other_pilot=403, committee=403, scp=302),
    "reporting:final_detail": every_role(200, args=SLUG),
    "reporting:final_pdf": roles_answer(SLUG, **READERS_TO_JOB),
    "reporting:final_publish": every_role(405, args=SLUG),
    "reporting:published_detail": every_role(200, args=PUBLISHED),
    "reporting:published_pdf": roles_answer(PUBLISHED, **READERS),
    "reporting:published_set_public": every_role(405, args=PUBLISHED),
    # The schema document (the plan itself): its page for every role, its PDF for comité and SCP.
    "reporting:schema": every_role(200, args=SLUG),
    "reporting:schema_pdf": roles_answer(SLUG, **READERS_TO_JOB),
    # From one plan to the next: SCP prepares it and decides each fiche, the comité reads; a draft is
    # not shown to pilots at all (404, as if it did not exist).
    "planning:prepare_next": roles_answer(SLUG, **SCP_ONLY),
    "planning:decisions": roles_answer(_draft, pilot=404, other_pilot=404, committee=200, scp=200),
    "planning:comparison": roles_answer(_draft, pilot=404, other_pilot=404, committee=200, scp=200),
    "planning:comparison_xlsx": roles_answer(_draft, pilot=404, other_pilot=404, committee=200, scp=200),
    # The contracts register and the legal indicators (art. L2111-3): SCP and the comité read them;
    # pilots read the figures computed for their fiches on their entry page only.
    "contracts:legal_current": roles_answer(**READERS_SENT_ON),  # to the plan's latest year
    "contracts:legal_latest": roles_answer(SLUG, **READERS_SENT_ON),
    "contracts:legal_indicators": roles_answer(LEGAL_YEAR, **READERS),
    "contracts:contract_list": roles_answer(SLUG, **READERS),
    "contracts:contract_detail": roles_answer(_contract, **READERS),
    # The national comparison: as the legal indicators inside; on the public site once SCP published it.
    "national:comparison_latest": roles_answer(_national, **READERS_SENT_ON),
    "national:comparison": roles_answer(NATIONAL_YEAR, **READERS),
    "public:national_comparison_latest": every_role(302, anonymous=302, args=_national),
    "public:national_comparison": every_role(200, anonymous=200, args=NATIONAL_YEAR),
    "contracts:holder_detail": roles_answer(_holder, **READERS),
    # A background job and its result: who asked for it, and SCP; to anyone else, as if it did not exist.
    "jobs:detail": roles_answer(_job, pilot=404, other_pilot=404, committee=200, scp=200),
    "jobs:download": roles_answer(_job, pilot=404, other_pilot=404, committee=200, scp=200),
    "jobs:retry": every_role(405, args=_job),  # POST only
    # The public site: what SCP published, the same for everyone, logged in or not.
    "sitemap": every_role(200, anonymous=200),
    "public:index": every_role(200, anonymous=200),
    "public:catalogue": every_role(200, anonymous=200),
    "public:schema": every_role(200, anonymous=200, args=lambda site: ["valeurs.csv.schema.json"]),
    "public:plan": every_role(200, anonymous=200, args=SLUG),
    "public:fiche": every_role(200, anonymous=200, args=lambda site: [site.plan.slug, 11]),
    "public:bilans": every_role(200, anonymous=200, args=SLUG),
    "public:schema_document_pdf": every_role(200, anonymous=200, args=SLUG),
    "public:bilan": every_role(200, anonymous=200, args=PUBLIC_BILAN),
    "public:bilan_pdf": every_role(200, anonymous=200, args=PUBLIC_BILAN),
    "public:data": every_role(200, anonymous=200, args=SLUG),
    "public:data_file": every_role(200, anonymous=200, args=lambda site: [site.plan.slug, "valeurs.csv"]),
    # The public site's legal pages (accessibility statement, legal notice, personal data).
    "public:accessibility": every_role(200, anonymous=200),
    "public:legal_notice": every_role(200, anonymous=200),
    "public:personal_data": every_role(200, anonymous=200),
    # Notification preferences: one's own, for every role; an e-mail's one-click link, without login (its
    # signed token names the person).
    "notification_preferences": every_role(200),
    "notification_preference_change": every_role(
        200, anonymous=200, args=lambda site: [preference_token(site.users["pilot"].pk, ["year_returned"])]
    ),
}


@dataclass(frozen=True)
class Post:
    """A POST that changes something: who may send it (answers per role, in ROLES order)."""

    label: str
    name: str
    prepare: Callable[[Site], list]  # sets the data up if needed; returns the URL's args
    answers: tuple
    data: Callable[[Site, str], dict] = lambda site, url: {}


_typed = itertools.count(100)


def _entry_form(site: Site, url: str) -> dict:
    """What the entry page (read as SCP, as it is now) posts, with a new value for the first indicator."""
    client = Client()
    client.force_login(site.users["scp"])
    data = form_data(client.get(url).content.decode(), "saisie")
    first = Fiche.objects.get(plan=site.plan, number=11).indicators.order_by("position").first()
    data[f"value_{first.pk}"] = str(next(_typed))
    return data


def _submitted(site: Site, action: str) -> list:
    """Fiche 5's year of the open campaign, submitted by its pilot: SCP decides on it."""
    fiche = Fiche.objects.get(plan=site.plan, number=5)
    workflow.fiche_year_submit(fiche=fiche, year=site.year, user=site.users["other_pilot"])
    return [site.plan.slug, site.year, 5, action]


def _thread(site: Site, action: str) -> list:
    """A thread on fiche 11's year of the open campaign (created on first use, whatever the plan's state:
    the tables read it in every state)."""
    fiche = Fiche.objects.get(plan=site.plan, number=11)
    thread, _ = Thread.objects.get_or_create(fiche=fiche, year=site.year, defaults={"subject": "Question"})
    return [site.plan.slug, 11, site.year, thread.pk, action]


ONLY_SCP = (LOGIN, 403, 403, 403, 302)
POSTS = [
    Post("enter a year", "indicators:entry", ENTRY, (LOGIN, 302, 403, 403, 302), _entry_form),
    Post(
        "open a campaign",
        "indicators:campaigns",
        SLUG,
        ONLY_SCP,
        lambda site, url: {"year": "2026", "deadline": "2027-03-31"},
    ),
    Post("close a campaign", "indicators:campaign_close", CAMPAIGN, ONLY_SCP),
    Post("validate", "indicators:campaign_fiche_action", lambda site: _submitted(site, "valider"), ONLY_SCP),
    Post(
        "return",
        "indicators:campaign_fiche_action",
        lambda site: _submitted(site, "renvoyer"),
        ONLY_SCP,
        lambda site, url: {"comment": "À revoir"},
    ),
    Post(
        "reopen",
        "indicators:campaign_fiche_action",
        lambda site: [site.plan.slug, site.validated_year, 5, "rouvrir"],
        ONLY_SCP,
    ),
    Post(
        "open a thread",
        "discussions:threads",
        ENTRY,
        (LOGIN, 302, 403, 403, 302),
        lambda site, url: {"subject": "Question", "body": "D'où vient ce chiffre ?"},
    ),
    Post(
        "answer in a thread",
        "discussions:thread_action",
        lambda site: _thread(site, "repondre"),
        (LOGIN, 302, 403, 403, 302),
        lambda site, url: {"body": "Du compte rendu."},
    ),
    Post(
        "add evidence",
        "evidence:add",
        ENTRY,
        (LOGIN, 302, 403, 403, 302),
        lambda site, url: {
            "preuve-title": "Délibération",
            "preuve-dated": "2025-03-12",
            "preuve-url": "https://example.org/d",
        },
    ),
    # The pilot removes it first: SCP then finds it removed (404, as for a download); SCP's own removal
    # is tested in tests/evidence/test_services.py.
    Post("remove evidence", "evidence:remove", _link_evidence, (LOGIN, 302, 403, 403, 404), _seen_version),
    Post("publish a bilan", "reporting:bilan_publish", YEAR, ONLY_SCP),
    Post("publish the end-of-plan bilan", "reporting:final_publish", SLUG, ONLY_SCP),
    Post(
        "make a bilan private",
        "reporting:published_set_public",
        PUBLISHED,
        ONLY_SCP,
        lambda site, url: {"is_public": "0"},
    ),
]
# POST-only URLs checked elsewhere: logging out is the user's own business (tests/security/test_csrf.py).
# Running a failed job again: by who asked for it and SCP (tests/jobs/test_pages.py).
POSTS_ELSEWHERE = {"logout", "jobs:retry"}


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


def test_every_post_only_url_has_its_post_answers():
    post_only = {name for name, expected in EXPECTED.items() if expected.scp == 405}
    assert post_only - POSTS_ELSEWHERE <= {post.name for post in POSTS}


def check(response, expected, label):
    if response.streaming:  # a file streamed from storage (evidence): read to its end, which closes it
        b"".join(response.streaming_content)
    if expected == LOGIN:
        assert response.status_code == 302, label
        assert response["Location"].startswith(reverse("login") + "?next="), label
    else:
        assert response.status_code == expected, label


def site_urls(site: Site, only=None) -> list[tuple[str, str, Expected]]:
    return [
        (name, reverse(name, args=expected.args(site)), expected)
        for name, expected in EXPECTED.items()
        if only is None or name in only
    ]


# Public documents a background job prepares (public.jobs): the first visitor is asked to wait (503),
# the job runs (eagerly here, once the request commits), then every visitor gets the document.
PREPARED_BY_JOB = {"public:schema_document_pdf"}


def test_every_page_against_every_role(client, role_users, site):
    for role in ROLES:
        client.logout()
        if role_users[role]:
            client.force_login(role_users[role])
        for name, url, expected in site_urls(site):
            response = get_through_job(client, url) if name in PREPARED_BY_JOB else client.get(url)
            check(response, getattr(expected, role), f"{role} {name} {url}")


# --- plan states --------------------------------------------------------------------------------------
# A plan in force or closed is read as the table says; a plan in preparation is SCP's and the comité's
# (core.rights.may_read_plan_of): to a pilot, its addresses answer exactly as those of a plan that
# does not exist (404; or 403 where the page is refused to pilots whatever the plan), so that a pilot
# cannot even learn that the next plan is being prepared.

UNKNOWN_PLAN = "plan-inexistant"
PILOTS = ("pilot", "other_pilot")
# The addresses without a plan (from before there were several): they lead to the current plan.
WITHOUT_PLAN = {name for name in EXPECTED if name.endswith(("_current", "_moved"))}


def plan_urls(site: Site) -> list[tuple[str, str, Expected, str]]:
    """(name, url, expected, the same url for a plan that does not exist) of every URL that names the
    site's plan (outside the public site, whose answers follow what SCP published)."""
    urls = []
    for name, expected in EXPECTED.items():
        if name in NEXT_PLAN_PAGES:  # about the next plan: test_the_next_plan_pages_by_the_next_plan_state
            continue
        args = expected.args(site)
        if name.startswith("public:") or site.plan.slug not in args:
            continue
        unknown = [UNKNOWN_PLAN if arg == site.plan.slug else arg for arg in args]
        urls.append((name, reverse(name, args=args), expected, reverse(name, args=unknown)))
    return urls


def set_plan_state(site: Site, state: str) -> None:
    plan = site.plan
    plan.state = state
    save_claimed(plan, seen=None, user=site.users["scp"])


def named_with_plan(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    """Named URLs (outside the admin and the public site) whose address holds a plan's identifier."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace not in ("admin", "public"):
            names |= named_with_plan(
                pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            )
        elif isinstance(pattern, URLPattern) and "slug" in pattern.pattern.converters:
            names.add(prefix + pattern.name)
    return names


# The pages about the plan that follows the site's plan (its preparation, the comparison): per state of
# that next plan, the answers of (anonymous, pilot, other pilot, comité, SCP) to a GET.
IN_PREPARATION = (LOGIN, 404, 404, 200, 200)
NEXT_PLAN_PAGES = {
    "planning:decisions": {state: IN_PREPARATION for state in PlanState},  # SCP decides, comité reads
    "planning:comparison": {
        PlanState.PREPARATION: IN_PREPARATION,
        PlanState.IN_FORCE: (LOGIN, 200, 200, 200, 200),
        PlanState.CLOSED: (LOGIN, 200, 200, 200, 200),
    },
    "planning:comparison_xlsx": {
        PlanState.PREPARATION: IN_PREPARATION,
        PlanState.IN_FORCE: (LOGIN, 403, 403, 200, 200),
        PlanState.CLOSED: (LOGIN, 403, 403, 200, 200),
    },
}


@pytest.mark.parametrize("state", list(PlanState))
def test_the_next_plan_pages_by_the_next_plan_state(client, role_users, site, state):
    draft = Plan.objects.get(slug=_draft(site)[0])
    draft.state = state
    save_claimed(draft, seen=None, user=site.users["scp"])
    for name, answers in NEXT_PLAN_PAGES.items():
        url = reverse(name, args=[draft.slug])
        for role, expected in zip(ROLES, answers[state], strict=True):
            client.logout()
            if role_users[role]:
                client.force_login(role_users[role])
            check(client.get(url), expected, f"{state} {role} {name}")


def test_the_plan_state_tables_open_every_url_with_a_plan_in_its_address(site):
    assert {name for name, *_ in plan_urls(site)} | set(NEXT_PLAN_PAGES) == named_with_plan()
    assert {"indicators:plan_detail", "indicators:entry", "reporting:published_detail"} <= named_with_plan()


@pytest.mark.parametrize("state", [PlanState.IN_FORCE, PlanState.CLOSED])
def test_a_plan_in_force_or_closed_is_read_by_every_role_as_the_table_says(client, role_users, site, state):
    set_plan_state(site, state)
    for role in ROLES:
        client.logout()
        if role_users[role]:
            client.force_login(role_users[role])
        for name, url, expected, _ in plan_urls(site):
            check(client.get(url), getattr(expected, role), f"{state} {role} {name} {url}")


def test_a_plan_in_preparation_answers_pilots_as_a_plan_that_does_not_exist(client, role_users, site):
    set_plan_state(site, PlanState.PREPARATION)
    for role in ROLES:
        client.logout()
        if role_users[role]:
            client.force_login(role_users[role])
        for name, url, expected, unknown_url in plan_urls(site):
            response, label = client.get(url), f"{role} {name} {url}"
            if role in PILOTS:
                assert response.status_code == client.get(unknown_url).status_code, label
                # 403: refused to pilots whatever the plan; 405: a POST-only address (both before the
                # plan is looked up); else not found.
                if response.status_code != 404:
                    assert response.status_code == getattr(expected, role) in (403, 405), label
            else:  # SCP and the comité read it as a plan in force
                check(response, getattr(expected, role), label)
        for name, url, expected in site_urls(site, only=WITHOUT_PLAN):
            if name in WITHOUT_PLAN:
                response, label = client.get(url), f"{role} {name} {url}"
                if role in PILOTS:  # no plan they may read: nowhere to send them
                    assert response.status_code in (403, 404), label
                else:
                    check(response, getattr(expected, role), label)
    client.force_login(role_users["pilot"])
    page = client.get(reverse("indicators:my_fiches")).content.decode()
    assert site.plan.slug not in page and site.plan.short_title not in page


@pytest.mark.parametrize("post", POSTS, ids=lambda post: post.label)
def test_every_post_against_every_role(role_users, site, post):
    """Each role in turn (SCP last: the only one who may change what the others were refused)."""
    url = reverse(post.name, args=post.prepare(site))
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        if role_users[role]:
            clients[role].force_login(role_users[role])
    for role, expected in zip(ROLES, post.answers, strict=True):
        data = post.data(site, url)
        before = database_state()
        response = clients[role].post(url, data)
        check(response, expected, f"{role} POST {url}")
        if expected != 302 or role == "anonymous":
            assert database_state() == before, f"a refused POST wrote something: {role} {url}"
        else:
            assert database_state() != before, f"{role} {url}: nothing was written"


def test_a_bilan_not_made_public_is_not_readable_by_its_public_url(client, role_users, site):
    """Published but not public: the public URLs answer 404 to everyone, logged in or not."""
    published_bilan_set_public(bilan=PublishedBilan.objects.get(), is_public=False, user=role_users["scp"])
    for role in ROLES:
        client.logout()
        if role_users[role]:
            client.force_login(role_users[role])
        for name in ("public:bilan", "public:bilan_pdf"):
            assert client.get(reverse(name, args=PUBLIC_BILAN(site))).status_code == 404, (role, name)
    page = client.get(reverse("public:bilans", args=[site.plan.slug])).content.decode()
    assert reverse("public:bilan", args=PUBLIC_BILAN(site)) not in page


def test_an_unpublished_plan_has_no_public_url_for_any_role(client, role_users, site):
    plan_publication_set(plan=site.plan, is_public=False, user=role_users["scp"])
    for role in ROLES:
        client.logout()
        if role_users[role]:
            client.force_login(role_users[role])
        for name, url, _ in site_urls(site):
            if name.startswith("public:") and site.plan.slug in url:
                assert client.get(url).status_code == 404, (role, url)


# --- the admin --------------------------------------------------------------------------------------

# The admin's pages, per registered model (as the model's admin offers them) and for the whole site.
ADMIN_MODEL_VIEWS = (
    "changelist",
    "add",
    "change",
    "history",
    "simple_history",  # one past version (django-simple-history)
    "delete",
    "import",
    "process_import",
    "export",
    "password_change",  # an account's password, set by SCP
)
ADMIN_SITE_VIEWS = ("index", "password_change", "password_change_done", "jsi18n", "auth_user_invite")
# Admin URLs the table does not open, and why.
ADMIN_NOT_OPENED = {
    "login",  # the admin's login page, for anyone (the site's own login is in EXPECTED)
    "logout",  # POST only, the user's own business
    "autocomplete",  # a JSON helper of the change forms, opened by their JavaScript
    "view_on_site",  # no model of the plan has a page of its own under this URL
    "app_list",  # checked per app below
}
# Admin pages SCP may not open: creating or deleting role groups, adding lockout records, adding or
# deleting a published bilan by hand (publishing is done from the bilan page; versions are kept).
SCP_FORBIDDEN = {
    "auth_group_add",
    "auth_group_delete",
    "axes_accessattempt_add",
    "axes_accesslog_add",
    "axes_accessfailurelog_add",
    "axes_accessattemptexpiration_add",
    "reporting_publishedbilan_add",
    "reporting_publishedbilan_delete",
    # The register is written by imports only; the import log by the imports themselves.
    "contracts_contract_add",
    "contracts_contract_delete",
    "contracts_decpimport_add",
    "contracts_decpimport_delete",
    # A national computation is made by decp_national; its figures are written by it only.
    "national_nationaldataset_add",
    "national_nationalfigure_add",
    "national_nationalfigure_delete",
    # A correction is made on the contract's page, where the published value stands beside it.
    "contracts_contractcorrection_add",
    "contracts_contractcorrection_delete",
    # What the SIRENE and inclusion imports wrote, and their logs: written by the imports only.
    *(
        f"suppliers_{model}_{view}"
        for model in ("legalunit", "establishment", "inclusionlisting", "supplierimport")
        for view in ("add", "delete")
    ),
    # The legal pages' record: one per site, edited, never added twice nor deleted.
    "public_legalinformation_add",
    "public_legalinformation_delete",
    # The notifications' log is read-only: written by the events, preferences by their owners.
    *(
        f"notifications_{model}_{view}"
        for model in ("notification", "delivery", "digest", "preference")
        for view in ("add", "delete")
    ),
    # The discussions are written on their page (services), never added nor deleted in the admin.
    "discussions_thread_add",
    "discussions_thread_delete",
    # Accounts are deactivated, never deleted (history and authorship kept); invitations are sent from
    # "Inviter une personne" and kept.
    "auth_user_delete",
    "accounts_invitation_add",
    "accounts_invitation_delete",
    # Evidence is added from the entry page (its file checked) and removed through its service.
    "evidence_evidence_add",
    "evidence_evidence_delete",
}
# The confirm step of an import is a POST of the preview's form: a GET is refused.
SCP_POST_ONLY = ("_process_import",)


def admin_url_names() -> set[str]:
    """Every named URL of the admin site, as the resolver knows it."""
    resolver = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "admin")
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            names |= {p.name for p in pattern.url_patterns if p.name}
        elif pattern.name:
            names.add(pattern.name)
    return names


def admin_urls() -> list[tuple[str, str]]:
    """(url name, url) of every admin page: each registered model's views, and the site's own."""
    known = admin_url_names()
    urls = []
    for model in admin.site._registry:
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"the admin table needs a row of {model._meta.label}"
        for view in ADMIN_MODEL_VIEWS:
            name = f"{info}_{view}"
            if name not in known:
                continue
            if view == "simple_history":
                args = [obj.pk, obj.history.filter(id=obj.pk).order_by("history_id").first().history_id]
            elif view in ("change", "history", "delete", "password_change"):
                args = [obj.pk]
            else:
                args = []
            urls.append((name, reverse(f"admin:{name}", args=args)))
    urls += [(name, reverse(f"admin:{name}")) for name in ADMIN_SITE_VIEWS]
    apps = sorted({model._meta.app_label for model in admin.site._registry})
    urls += [("app_list", reverse("admin:app_list", args=[app])) for app in apps]
    return urls


def test_the_admin_table_opens_every_kind_of_admin_page(admin_site):
    opened = {name for name, _ in admin_urls()}
    suffixes = tuple(f"_{view}" for view in ADMIN_MODEL_VIEWS)
    assert {name for name in admin_url_names() if not name.endswith(suffixes)} <= (
        set(ADMIN_SITE_VIEWS) | ADMIN_NOT_OPENED
    ), "a new kind of admin page: open it in admin_urls() or say in ADMIN_NOT_OPENED why not"
    assert {name for name in admin_url_names() if name.endswith(suffixes)} <= opened


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_against_every_role(client, role_users, admin_site, role):
    """Only SCP staff get into the admin; the others are sent to a login page, never shown data, and
    what they post is never written (an import, an edit, a deletion).

    SCP's column is also the admin's smoke test: every changelist, add, change, history, delete,
    import and export page opens, with a row of every model.
    """
    user = role_users[role]
    if user:
        client.force_login(user)
    before = database_state()
    for name, url in admin_urls():
        label = f"{role} {url}"
        for method in ("get", "post") if role != "scp" else ("get",):
            response = getattr(client, method)(url)
            if role == "anonymous":
                assert response.status_code == 302 and response["Location"].startswith("/connexion/"), label
            elif role != "scp":
                assert response.status_code == 302 and "/admin/login/" in response["Location"], label
            elif name in SCP_FORBIDDEN:
                assert response.status_code == 403, label
            else:
                assert response.status_code == (405 if name.endswith(SCP_POST_ONLY) else 200), label
    if role != "scp":
        assert database_state() == before
