"""What the security tests point the URLs at."""

import datetime
from dataclasses import dataclass

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Invitation
from actions.models import Fiche, Plan
from actions.services import plan_publication_set
from contracts.enums import Category, Considerations, Measure, Nature
from contracts.models import (
    Contract,
    ContractCorrection,
    DecpImport,
    LegalTarget,
    NationalReference,
    RegisterIndicator,
)
from discussions.services import thread_open
from evidence.services import evidence_add
from notifications.enums import Mode, NotificationKind
from notifications.models import Digest
from notifications.sending import notifications_deliver
from notifications.services import notify, preferences_set
from public.models import LegalInformation
from reporting.services import bilan_publish, published_bilan_set_public
from suppliers.models import Establishment, InclusionListing, LegalUnit, LocalArea, SupplierImport
from tests.evidence.conftest import pdf_bytes
from tests.factories import AnnualReviewFactory, CampaignFactory, IndicatorValueFactory


@dataclass
class Site:
    """What the URLs point at: the plan (published on the public site), fiche 11, an open campaign, a
    published (public) bilan."""

    plan: Plan
    year: int  # the open campaign's year
    bilan_year: int
    published: int  # pk of a published bilan made public
    validated_year: int  # fiche 5's year validated by SCP
    users: dict[str, User | None]  # one per role (tests/conftest.py: role_users)
    evidence: int = 0  # pk of a PDF attached to fiche 11's open year


@pytest.fixture
def site(spaser54, role_users, settings, tmp_path) -> Site:
    settings.MEDIA_ROOT = tmp_path / "media"  # evidence files of the tests' own
    # Fiches 11 (the pilot's) and 5 (the other pilot's) are enough, and make the PDFs quick.
    Fiche.objects.filter(plan=spaser54).exclude(number__in=[5, 11]).delete()
    CampaignFactory(plan=spaser54, year=2025, deadline=datetime.date(2026, 3, 31))
    AnnualReviewFactory(fiche=Fiche.objects.get(plan=spaser54, number=5), year=2024, validated=True)
    published = bilan_publish(plan=spaser54, year=2024, user=role_users["scp"])
    published_bilan_set_public(bilan=published, is_public=True, user=role_users["scp"])
    plan_publication_set(plan=spaser54, is_public=True, user=role_users["scp"])
    evidence = evidence_add(  # a PDF fiche 11's pilot attached to the open year
        fiche=Fiche.objects.select_related("plan").get(plan=spaser54, number=11),
        year=2025,
        user=role_users["pilot"],
        title="PV du comité",
        dated=datetime.date(2025, 3, 12),
        upload=SimpleUploadedFile("pv.pdf", pdf_bytes()),
    )
    return Site(
        plan=spaser54,
        year=2025,
        bilan_year=2024,
        published=published.pk,
        validated_year=2024,
        users=role_users,
        evidence=evidence.pk,
    )


@pytest.fixture
def admin_site(site) -> Site:
    """The site with a row of every model the admin shows, so that every change page is opened."""
    meetings = Fiche.objects.get(plan=site.plan, number=11).indicators.get(code="11-R1")
    IndicatorValueFactory(indicator=meetings, year=2024, value_number=12)
    lockout = {"username": "pilote5", "ip_address": "192.0.2.7", "user_agent": "test"}
    AccessAttempt.objects.create(
        **lockout,
        failures_since_start=2,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="",
        path_info="/connexion/",
    )
    AccessLog.objects.create(**lockout, attempt_time=timezone.now(), http_accept="", path_info="/connexion/")
    AccessFailureLog.objects.create(
        **lockout, attempt_time=timezone.now(), http_accept="", path_info="/connexion/", locked_out=False
    )
    _register_rows(site)
    _supplier_rows(site)
    LegalInformation.objects.create()  # the public site's legal pages (saved normally: with its history)
    _notification_rows(site)
    Invitation.objects.create(user=site.users["pilot"], invited_by=site.users["scp"])
    fiche = Fiche.objects.get(plan=site.plan, number=11)
    thread_open(
        fiche=fiche, year=site.year, user=site.users["pilot"], subject="Source", body="D'où vient ce 17 ?"
    )
    evidence_add(  # a piece of evidence (a link: the admin shows it read-only)
        fiche=Fiche.objects.select_related("plan").get(plan=site.plan, number=11),
        year=site.year,
        user=site.users["scp"],
        title="Délibération",
        dated=datetime.date(2025, 3, 12),
        url="https://example.org/deliberation",
    )
    return site


def _supplier_rows(site: Site) -> None:
    """A row of each model of the suppliers' data (LocalArea saved normally: with its history)."""
    run = SupplierImport.objects.create(
        source="sirene_etab",
        files=["StockEtablissement_utf8.zip"],
        source_date=datetime.date(2025, 11, 1),
        read=1,
        kept=1,
    )
    dated = {"source_date": datetime.date(2025, 11, 1), "import_run": run}
    LegalUnit.objects.create(siren="123456789", name="Atelier du Lien", enterprise_category="PME", **dated)
    Establishment.objects.create(siret="12345678900011", siren="123456789", departement="54", **dated)
    InclusionListing.objects.create(
        siret="12345678900011", siren="123456789", kind="siae", subkind="ACI", source="Marché", **dated
    )
    LocalArea.objects.create(plan=site.plan, departements="54, 55, 57, 88")


def _register_rows(site: Site) -> None:
    """A row of each model of the contracts register (saved normally: with its history)."""
    contract = Contract.objects.create(
        uid="225400016000152025-001",
        buyer_siret="22540001600015",
        contract_id="2025-001",
        nature=Nature.CONTRACT,
        object="Entretien des routes",
        notified_on=datetime.date(2025, 3, 12),
        year=2025,
        initial_amount=100000,
        current_amount=100000,
        social=Considerations.STATED,
        social_clause=True,
        environmental=Considerations.NONE,
        source_file="decp.json",
    )
    ContractCorrection.objects.create(
        contract=contract, social_criterion=True, reason="Critère social au règlement de la consultation."
    )
    DecpImport.objects.create(files=["decp.json"], buyers=["22540001600015"], read=1, kept=1, new=1)
    LegalTarget.objects.create(plan=site.plan, category=Category.SOCIAL, share=30)
    NationalReference.objects.create(
        category=Category.SOCIAL,
        measure=Measure.COUNT,
        year=2023,
        share="18.7",
        source="OECP, recensement 2023",
    )
    indicator = Fiche.objects.get(plan=site.plan, number=11).indicators.get(code="11-E1")
    RegisterIndicator.objects.create(indicator=indicator, category=Category.SOCIAL)


def _notification_rows(site: Site) -> None:
    """A notification sent, a digest, a preference (with its history) of the notifications' log."""
    pilot = site.users["pilot"]
    preferences_set(user=pilot, modes={NotificationKind.DEADLINE: Mode.DIGEST})
    notification = notify(
        kind=NotificationKind.YEAR_VALIDATED,
        recipients=[pilot],
        context={"year": 2024, "fiche_number": 11},
        link="https://spaser.example.org/",
        plan_id=site.plan.pk,
    )[0]
    notifications_deliver(ids=[notification.pk])
    Digest.objects.create(recipient=pilot, day=datetime.date(2025, 3, 12))
