"""A closed plan refuses every write, everywhere, except the follow-up of its last year until its final
bilan is published; then nothing at all. On the real SPASER 54 (2021-2026).

Each writer is tried the way its user meets it: an admin form or entry page opened while the plan was
in force and sent after it was closed, a service called by a page, an import. Each answers in French
and the database is the same, row for row (history included), before and after.
"""

import datetime
import html
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from actions import services, states
from actions.enums import MilestoneStatus, PlanState, ValueType
from actions.excel.plan_workbook import plan_workbook
from actions.models import Fiche, Plan
from contracts import services as contract_services
from contracts.enums import Category
from contracts.models import LegalTarget
from indicators import values_workbook
from indicators.enums import CampaignStatus
from indicators.models import AnnualReview, Campaign, IndicatorValue
from indicators.services import campaigns, reminders, workflow
from planning.services import plan_prepare_next
from reporting.models import PublishedBilan
from reporting.services import BilanPublishRefused, bilan_publish, published_bilan_set_public
from tests.factories import AnnualReviewFactory, CampaignFactory, IndicatorValueFactory, PlanFactory
from tests.indicators.conftest import client_for, entry_url
from tests.reporting.conftest import pdf_text
from tests.utils import form_data
from tests.workbooks import Sheet

pytestmark = pytest.mark.django_db

IN_2026 = datetime.date(2026, 3, 1)
DATA_APPS = ("actions", "indicators", "contracts", "reporting", "auth")
CLOSED = "est clos"


def dump() -> dict[str, list[dict]]:
    """Every row of the project's tables (history tables included), as stored."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in DATA_APPS:
            rows[model._meta.label] = [
                {k: bytes(v) if isinstance(v, memoryview) else v for k, v in row.items()}
                for row in model._default_manager.order_by("pk").values()
            ]
    return rows


def said(response) -> str:
    """What the user reads on the page (entities decoded), after any redirect."""
    return html.unescape(response.content.decode())


def url(name: str, plan: Plan, *args) -> str:
    """A page of `plan`: with the plan in the URL where the page takes it."""
    try:
        return reverse(name, args=[plan.slug, *args])
    except NoReverseMatch:
        return reverse(name, args=list(args))


def close(plan: Plan, user) -> Plan:
    return services.plan_state_set(
        plan=Plan.objects.get(pk=plan.pk), state=PlanState.CLOSED, user=user, today=IN_2026
    )


@dataclass
class World:
    """SPASER 54 in its last year: fiche 11 with a value, a submitted 2025, a validated 2024, the 2025
    and 2026 campaigns open, a legal target; SCP and fiche 11's pilot logged in."""

    plan: Plan
    fiche: Fiche
    scp: object
    pilot: object
    admin: Client
    pilot_client: Client
    value2025: IndicatorValue
    target: LegalTarget
    extra: dict = field(default_factory=dict)

    def close(self):
        self.plan = close(self.plan, self.scp)
        self.fiche = Fiche.objects.select_related("plan").get(pk=self.fiche.pk)


@pytest.fixture
def world(spaser54, fiche11, scp_user, pilot11) -> World:
    CampaignFactory(plan=spaser54, year=2025, deadline=datetime.date(2026, 3, 31))
    CampaignFactory(plan=spaser54, year=2026, deadline=datetime.date(2027, 3, 31))
    AnnualReviewFactory(fiche=fiche11, year=2024, validated=True, validated_by=scp_user)
    AnnualReviewFactory(fiche=fiche11, year=2025, submitted=True, submitted_by=pilot11)
    indicator = fiche11.indicators.filter(value_type=ValueType.COUNT).order_by("position").first()
    value = IndicatorValueFactory(indicator=indicator, year=2025, value_number=7, updated_by=scp_user)
    target = LegalTarget.objects.create(plan=spaser54, category=Category.SOCIAL, share=Decimal(30))
    admin = Client()
    admin.force_login(scp_user)
    return World(spaser54, fiche11, scp_user, pilot11, admin, client_for(pilot11), value, target)


# --- the writers, each: prepare while the plan is in force, then attempt once it is closed ---------


def admin_url(obj, view: str) -> str:
    opts = obj._meta
    args = [] if view == "add" else [obj.pk]
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def change_form(client: Client, obj) -> dict:
    response = client.get(admin_url(obj, "change"))
    assert response.status_code == 200
    return form_data(response.content.decode(), form_id=f"{obj._meta.model_name}_form")


def admin_change(get_obj, **changes):
    def prepare(w: World):
        obj = get_obj(w)
        data = change_form(w.admin, obj) | {name: [value] for name, value in changes.items()}
        return lambda: said(w.admin.post(admin_url(obj, "change"), data, follow=True))

    return prepare


def admin_add(get_obj, **changes):
    """The add form, sent with an existing row's fields (in the closed plan) and a few changed."""

    def prepare(w: World):
        obj = get_obj(w)
        data = change_form(w.admin, obj) | {name: [value] for name, value in changes.items()}
        return lambda: said(w.admin.post(admin_url(obj, "add"), data, follow=True))

    return prepare


def admin_delete(get_obj):
    def prepare(w: World):
        obj = get_obj(w)
        return lambda: said(w.admin.post(admin_url(obj, "delete"), {"post": "yes"}, follow=True))

    return prepare


def admin_revert(get_obj, **changes):
    """The history's "revert to this version" form, sent (crafted: the button is off in settings)."""

    def prepare(w: World):
        obj = get_obj(w)
        data = change_form(w.admin, obj) | {name: [value] for name, value in changes.items()}
        record = obj.history.last()
        opts = obj._meta
        revert = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, record.history_id]
        )
        return lambda: said(w.admin.post(revert, data, follow=True))

    return prepare


def refused(call):
    """Run a service; the French message it refused with."""
    try:
        call()
    except (
        workflow.WorkflowError,
        services.WriteRefused,
        BilanPublishRefused,
        contract_services.NoBuyers,
    ) as error:
        return str(error)
    raise AssertionError("the write was not refused")


def service(call):
    return lambda w: lambda: refused(lambda: call(w))


def entry_post(year: int):
    def prepare(w: World):
        page = w.pilot_client.get(entry_url(w.fiche, year))
        data = form_data(page.content.decode(), "saisie")
        data[f"value_{w.value2025.indicator_id}"] = ["12"]
        data["achievements"] = ["Écrit après la clôture"]
        data["action"] = ["save"]
        return lambda: said(w.pilot_client.post(entry_url(w.fiche, year), data, follow=True))

    return prepare


def values_import(w: World):
    sheet = Sheet(values_workbook.values_workbook(w.plan))
    sheet.set(w.value2025.indicator.code, "2025", 99)
    data = sheet.save()

    def attempt():
        result = values_workbook.values_import(file=data, user=w.scp, dry_run=False, plan=w.plan)
        assert result.has_errors and not result.written
        return " ".join(result.messages)

    return attempt


def plan_workbook_import(w: World):
    sheet = Sheet(plan_workbook(w.plan), "Fiches")
    sheet.set(11, "Durée", "Rapide")
    data = sheet.save()
    return lambda: said(
        w.admin.post(
            reverse("admin:actions_fiche_import"),
            {"import_file": SimpleUploadedFile("plan.xlsx", data), "format": "0", "resource": "0"},
        )
    )


def decp_admin(w: World):
    def attempt():
        response = w.admin.post(
            reverse("admin:contracts_contract_import"),
            {"plan": w.plan.pk, "files": SimpleUploadedFile("decp.json", b'{"marches": []}')},
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        return " ".join(errors["plan"])

    return attempt


def fiche_of(w):
    return w.fiche


def milestone_of(w):
    return w.fiche.milestones.order_by("position").first()


def indicator_of(w):
    return w.value2025.indicator


def pilot_of(w):
    return w.fiche.ordered_pilots()[0]


def axis_of(w):
    return w.fiche.objective.axis


def review2025(w):
    return AnnualReview.objects.get(fiche=w.fiche, year=2025)


WRITERS = {
    # the plan's content, in the admin
    "admin: modifier la fiche": admin_change(fiche_of, title="Titre changé"),
    "admin: ajouter une fiche": admin_add(fiche_of, number="99", title="Fiche ajoutée"),
    "admin: supprimer la fiche": admin_delete(fiche_of),
    "admin: revenir à une version de la fiche": admin_revert(fiche_of, title="Titre d'avant"),
    "admin: modifier un jalon": admin_change(milestone_of, text="Jalon changé"),
    "admin: ajouter un jalon": admin_add(milestone_of, text="Jalon ajouté"),
    "admin: supprimer un jalon": admin_delete(milestone_of),
    "admin: modifier un indicateur": admin_change(indicator_of, label="Libellé changé"),
    "admin: ajouter un indicateur": admin_add(indicator_of, code="11-X9"),
    "admin: supprimer un indicateur": admin_delete(indicator_of),
    "admin: modifier un pilote": admin_change(pilot_of, role="Autre fonction"),
    "admin: ajouter un pilote": admin_add(pilot_of, role="Nouvelle fonction"),
    "admin: supprimer un pilote": admin_delete(pilot_of),
    "admin: modifier un axe": admin_change(axis_of, name="Axe changé"),
    "admin: ajouter un axe": admin_add(axis_of, code="nouvel-axe"),
    "admin: supprimer un axe": admin_delete(axis_of),
    "admin: modifier le plan": admin_change(lambda w: w.plan, title="Autre titre"),
    "admin: modifier une cible légale": admin_change(lambda w: w.target, share="45"),
    "admin: ajouter une cible légale": admin_add(lambda w: w.target, category=Category.ENVIRONMENTAL),
    # the follow-up of a year before the last
    "admin: modifier une valeur 2025": admin_change(lambda w: w.value2025, value_number="8"),
    "admin: supprimer une valeur 2025": admin_delete(lambda w: w.value2025),
    "admin: modifier le bilan 2025 d'une fiche": admin_change(review2025, achievements="Changé"),
    "admin: modifier la campagne 2025": admin_change(
        lambda w: Campaign.objects.get(plan=w.plan, year=2025), deadline="30/04/2026"
    ),
    "page de saisie 2025 (pilote)": entry_post(2025),
    "soumettre 2025": service(lambda w: workflow.fiche_year_submit(fiche=w.fiche, year=2025, user=w.scp)),
    "valider 2025": service(lambda w: workflow.fiche_year_validate(fiche=w.fiche, year=2025, user=w.scp)),
    "renvoyer 2025": service(
        lambda w: workflow.fiche_year_return(fiche=w.fiche, year=2025, user=w.scp, comment="À revoir")
    ),
    "rouvrir 2024": service(lambda w: workflow.fiche_year_reopen(fiche=w.fiche, year=2024, user=w.scp)),
    "ouvrir la campagne 2025": service(
        lambda w: campaigns.campaign_open(
            plan=w.plan, year=2025, deadline=datetime.date(2026, 6, 30), user=w.scp
        )
    ),
    "fermer la campagne 2025": service(
        lambda w: campaigns.campaign_close(
            campaign=Campaign.objects.select_related("plan").get(plan=w.plan, year=2025), user=w.scp
        )
    ),
    "jalon réalisé en 2025 (page de saisie)": service(
        lambda w: _milestone_done(w, datetime.date(2025, 6, 1))
    ),
    "import du classeur des valeurs (2025)": values_import,
    "import du classeur du plan (admin)": plan_workbook_import,
    "import DECP du plan (admin)": decp_admin,
    "import DECP du plan (commande)": service(lambda w: contract_services.buyers_of(w.plan)),
    "publier le bilan 2025": service(lambda w: bilan_publish(plan=w.plan, year=2025, user=w.scp)),
    "publier le bilan 2025 (page)": lambda w: (
        lambda: said(w.admin.post(url("reporting:bilan_publish", w.plan, 2025), follow=True))
    ),
    "fermer la campagne 2025 (page)": lambda w: (
        lambda: said(w.admin.post(url("indicators:campaign_close", w.plan, 2025), follow=True))
    ),
}


def _milestone_done(w: World, day: datetime.date):
    from indicators.services.entry import MilestoneInput, fiche_year_save

    milestone = milestone_of(w)
    year = day.year
    seen = {"review": AnnualReview.objects.filter(fiche=w.fiche, year=year).values_list("version", flat=True)}
    return fiche_year_save(
        fiche=w.fiche,
        year=year,
        values={},
        review=None,
        user=w.scp,
        seen_versions={"review": seen["review"].first() or 0},
        milestones={milestone.pk: MilestoneInput(True, day, milestone.is_done, milestone.completed_on)},
    )


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_a_closed_plan_refuses_every_writer_in_french_and_writes_nothing(world, writer):
    attempt = writer(world)
    world.close()
    before = dump()

    message = attempt()

    assert CLOSED in message and "Rien n'a été enregistré" in message, message
    assert dump() == before


def test_the_admin_shows_a_closed_plans_rows_read_only_with_a_banner(world, django_assert_max_num_queries):
    world.close()
    change = admin_url(world.fiche, "change")
    # Read-only costs no more than the editable page (28 queries measured for both): the plan's state
    # is read from the rows the page loads anyway, not once per inline row.
    with django_assert_max_num_queries(30):
        response = world.admin.get(change)
    page = said(response)
    assert response.status_code == 200
    assert "Ce plan est clos : cette page est en lecture seule." in page
    assert 'name="_save"' not in page and 'name="title"' not in page
    assert world.fiche.title in page
    for obj in (milestone_of(world), indicator_of(world), pilot_of(world), axis_of(world), world.plan):
        page = said(world.admin.get(admin_url(obj, "change")))
        assert "Ce plan est clos" in page and 'name="_save"' not in page, obj
    # The list of the plan's fiches still opens.
    assert world.admin.get(reverse("admin:actions_fiche_changelist")).status_code == 200


def test_closing_the_plan_closes_its_earlier_campaigns_and_keeps_the_last_years(world):
    world.close()
    stored = {c.year: c for c in Campaign.objects.filter(plan=world.plan)}
    assert not stored[2025].is_open and stored[2025].closed_at is not None
    assert stored[2025].history.first().history_user == world.scp
    assert stored[2026].is_open


def test_reminders_skip_a_closed_plans_earlier_campaigns(world, mailoutbox):
    world.close()
    Campaign.objects.filter(plan=world.plan, year=2025).update(status=CampaignStatus.OPEN)  # left open
    days = [(datetime.date(2026, 3, 31) - datetime.date(2026, 3, 24)).days]
    sent = reminders.campaign_remind(days=days, today=datetime.date(2026, 3, 24))
    assert sent == [] and mailoutbox == []


def test_preparing_the_next_plan_from_a_closed_plan_leaves_it_unchanged(world):
    world.close()
    before = dump()

    new = plan_prepare_next(
        old=world.plan,
        slug="spaser54-2027-2032",
        title="SPASER 54 2027-2032",
        start_year=2027,
        end_year=2032,
        user=world.scp,
    )

    after = dump()
    assert new.state == PlanState.PREPARATION and new.fiches.count() == world.plan.fiches.count()
    for label, rows in before.items():  # the old rows as they were; only new rows were added
        pk = apps.get_model(label)._meta.pk.attname
        kept = {row[pk]: row for row in after[label]}
        assert all(kept.get(row[pk]) == row for row in rows), label


# --- the last year: follow-up until the final bilan is published, then nothing --------------------


def test_a_closed_plan_runs_its_last_campaign_until_its_final_bilan_seals_it(world, small_plan):
    milestone = milestone_of(world)
    entry = entry_post(2026)(world)
    world.close()

    # The pilot still enters 2026 (values, review) on the entry page.
    page = entry()
    assert "Fiche 11 : saisie 2026 enregistrée (brouillon)." in page
    value = IndicatorValue.objects.get(indicator=world.value2025.indicator, year=2026)
    assert value.value_number == 12 and value.updated_by == world.pilot
    # Its milestones' progress of 2026 is follow-up, not content: saved.
    _milestone_done(world, datetime.date(2026, 5, 4))
    milestone.refresh_from_db()
    assert (milestone.status, milestone.completed_on) == (MilestoneStatus.DONE, datetime.date(2026, 5, 4))
    # SCP runs the 2026 workflow and the import of 2026 values.
    workflow.fiche_year_submit(fiche=world.fiche, year=2026, user=world.scp)
    workflow.fiche_year_return(fiche=world.fiche, year=2026, user=world.scp, comment="Précisez")
    sheet = Sheet(values_workbook.values_workbook(world.plan))
    sheet.set(world.value2025.indicator.code, "2026", 13)
    result = values_workbook.values_import(file=sheet.save(), user=world.scp, dry_run=False, plan=world.plan)
    assert result.written and not result.has_errors
    # The 2026 bilan, then the final bilan, are published (once).
    bilan_publish(plan=world.plan, year=2026, user=world.scp)
    assert not states.is_sealed(world.plan)
    final = bilan_publish(plan=world.plan, year=None, user=world.scp)
    assert final.year is None and states.is_sealed(world.plan)

    # Sealed: nothing at all any more.
    before = dump()
    assert "bilan de fin de plan est publié" in refused(
        lambda: bilan_publish(plan=world.plan, year=None, user=world.scp)
    )
    assert "bilan de fin de plan est publié" in refused(
        lambda: workflow.fiche_year_submit(fiche=world.fiche, year=2026, user=world.scp)
    )
    assert "bilan de fin de plan est publié" in refused(
        lambda: campaigns.campaign_close(
            campaign=Campaign.objects.select_related("plan").get(plan=world.plan, year=2026), user=world.scp
        )
    )
    assert "bilan de fin de plan est publié" in refused(
        lambda: _milestone_done(world, datetime.date(2026, 9, 1))
    )
    assert "ne peut plus être remis en vigueur" in refused(
        lambda: services.plan_state_set(plan=world.plan, state=PlanState.IN_FORCE, user=world.scp)
    )
    page = said(world.pilot_client.get(entry_url(world.fiche, 2026)))
    assert "bilan de fin de plan est publié" in page and "Enregistrer le brouillon" not in page
    result = values_workbook.values_import(file=sheet.save(), user=world.scp, dry_run=False, plan=world.plan)
    assert "bilan de fin de plan est publié" in result.file_error
    # The admin's import says so next to the plan field; the 2026 value is read-only there.
    response = world.admin.post(
        reverse("admin:indicators_indicatorvalue_import"),
        {"plan": world.plan.pk, "import_file": SimpleUploadedFile("valeurs.xlsx", sheet.save())},
    )
    assert "bilan de fin de plan est publié" in " ".join(response.context["form"].errors["plan"])
    page = said(world.admin.get(admin_url(value, "change")))
    assert "Ce plan est clos" in page and 'name="_save"' not in page
    assert dump() == before


def test_a_closed_plans_pages_answer_and_its_published_bilans_stay_byte_identical(world, small_plan, client):
    plan = world.plan
    services.plan_publication_set(plan=Plan.objects.get(pk=plan.pk), is_public=True, user=world.scp)
    published = bilan_publish(plan=plan, year=2024, user=world.scp)
    published_bilan_set_public(bilan=published, is_public=True, user=world.scp)
    public_args = [plan.slug, "2024", published.version]
    committee = Client()

    def snapshot():
        stored = PublishedBilan.objects.get(pk=published.pk)
        return {
            "pdf": bytes(stored.pdf),
            "sha256": stored.sha256,
            "data": stored.data,
            "served": world.admin.get(url("reporting:published_pdf", plan, published.pk)).content,
            "public_page": client.get(reverse("public:bilan", args=public_args)).content,
            "public_pdf_text": pdf_text(client.get(reverse("public:bilan_pdf", args=public_args)).content),
        }

    before = snapshot()
    world.close()
    bilan_publish(plan=plan, year=None, user=world.scp)  # sealed, too
    assert snapshot() == before

    pages = [
        url("indicators:plan_detail", plan),
        reverse("indicators:fiche_detail", args=[plan.slug, 11]),
        entry_url(world.fiche, 2025),
        url("reporting:bilan_list", plan),
        url("reporting:bilan_detail", plan, 2025),
        url("reporting:published_detail", plan, published.pk),
    ]
    for page in pages:
        assert world.admin.get(page).status_code == 200, page
    public_pages = [
        reverse("public:plan", args=[plan.slug]),
        reverse("public:fiche", args=[plan.slug, 11]),
        reverse("public:bilans", args=[plan.slug]),
        reverse("public:bilan", args=public_args),
    ]
    for page in public_pages:
        assert committee.get(page).status_code == 200, page


def test_reporting_registers_the_seal_check(spaser54, scp_user, small_plan):
    """A closed plan is sealed once its own final bilan is published: not before, not another's."""
    plan = close(spaser54, scp_user)
    other = close(PlanFactory(), scp_user)
    assert not states.is_sealed(plan)
    bilan_publish(plan=plan, year=None, user=scp_user)
    assert states.is_sealed(plan) and not states.is_sealed(other)
