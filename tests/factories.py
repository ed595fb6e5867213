"""factory_boy factories for the tests' own data.

The real SPASER 54 (fixtures/spaser54, loaded once per test session) is the plan most tests read;
what a test adds of its own -- accounts, campaigns, values, reviews, a small plan of its own -- comes
from these factories, so that each test says only what matters to it. Every row is saved through the
model's `save()`, so django-simple-history records it like any other write.
"""

import datetime
import hashlib
from decimal import Decimal
from pathlib import Path

import factory
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile

from actions import enums
from actions.models import Axis, Direction, Fiche, FichePilot, Indicator, Milestone, Objective, Pilot, Plan
from core import rights
from discussions.enums import ThreadStatus
from discussions.models import Message, Thread
from evidence.enums import EvidenceKind
from evidence.models import Evidence
from indicators.enums import CampaignStatus, ReviewStatus
from indicators.models import AnnualReview, Campaign, IndicatorValue

PASSWORD = "mot-de-passe-de-test-54"


class UserFactory(factory.django.DjangoModelFactory):
    """An account, in a role group with `role=`: `UserFactory(role=rights.SCP_GROUP)`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = factory.LazyAttribute(lambda o: o.username.capitalize())
    last_name = "Test"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.set_password(PASSWORD)
        self.is_staff = self.is_staff or extracted == rights.SCP_GROUP  # SCP works in the admin
        self.save()
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))


def user_in_role(role: str, *, pilot_of: Fiche | None = None, pilot_index: int = 0, **kwargs) -> User:
    """An account of `role`; with `pilot_of`, holding the fiche's pilot post number `pilot_index`."""
    user = UserFactory(role=role, **kwargs)
    if pilot_of is not None:
        pilot_of.ordered_pilots()[pilot_index].users.add(user)
    return user


class PlanFactory(factory.django.DjangoModelFactory):
    """A plan of its own (not SPASER 54), with one axis, one objective and one direction."""

    class Meta:
        model = Plan

    slug = factory.Sequence(lambda n: f"plan-de-test-{n}")
    title = factory.LazyAttribute(lambda o: f"Schéma de test {o.slug}")
    short_title = "Plan de test"
    buyer = "Collectivité de test"
    start_year = 2021
    end_year = 2026


class DirectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Direction

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"DIR{n}")
    name = factory.LazyAttribute(lambda o: f"Direction {o.code}")


class AxisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Axis

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"axe-{n}")
    name = factory.Sequence(lambda n: f"Axe de test {n}")
    position = factory.Sequence(int)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    axis = factory.SubFactory(AxisFactory)
    code = factory.Sequence(lambda n: f"O{n}")
    title = factory.Sequence(lambda n: f"Objectif de test {n}")


class FicheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fiche

    objective = factory.SubFactory(ObjectiveFactory)
    plan = factory.LazyAttribute(lambda o: o.objective.axis.plan)
    number = factory.Sequence(lambda n: n + 100)
    title = factory.Sequence(lambda n: f"Fiche de test {n}")
    complexity = enums.Complexity.SIMPLE
    duration = enums.Duration.RAPID


class PilotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pilot

    direction = factory.SubFactory(DirectionFactory)
    plan = factory.LazyAttribute(lambda o: o.direction.plan)
    role = factory.Sequence(lambda n: f"Chargé de mission {n}")
    service = "Service de test"


class FichePilotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FichePilot

    fiche = factory.SubFactory(FicheFactory)
    pilot = factory.SubFactory(PilotFactory, direction__plan=factory.SelfAttribute("...fiche.plan"))
    position = 1


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    fiche = factory.SubFactory(FicheFactory)
    code = factory.Sequence(lambda n: f"T-R{n}")
    kind = enums.IndicatorKind.REALISATION
    label = factory.Sequence(lambda n: f"Indicateur de test {n}")
    value_type = enums.ValueType.COUNT
    position = factory.Sequence(int)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    fiche = factory.SubFactory(FicheFactory)
    kind = enums.MilestoneKind.STEP
    text = factory.Sequence(lambda n: f"Jalon de test {n}")
    due_precision = enums.DuePrecision.YEAR
    due_year = 2024
    position = factory.Sequence(int)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("plan", "year")

    plan = factory.SubFactory(PlanFactory)
    year = 2025
    deadline = factory.LazyAttribute(lambda o: datetime.date(o.year + 1, 3, 31))
    status = CampaignStatus.OPEN


class AnnualReviewFactory(factory.django.DjangoModelFactory):
    """A fiche's review of a year; `AnnualReviewFactory(validated=True)` for a validated (locked) year."""

    class Meta:
        model = AnnualReview
        django_get_or_create = ("fiche", "year")

    class Params:
        validated = factory.Trait(
            status=ReviewStatus.VALIDATED,
            submitted_at=factory.Faker("date_time", tzinfo=datetime.UTC),
            validated_at=factory.Faker("date_time", tzinfo=datetime.UTC),
        )
        submitted = factory.Trait(
            status=ReviewStatus.SUBMITTED, submitted_at=factory.Faker("date_time", tzinfo=datetime.UTC)
        )

    fiche = factory.SubFactory(FicheFactory)
    year = 2025
    status = ReviewStatus.DRAFT
    progress_status = enums.ProgressStatus.IN_PROGRESS


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    """A value of an indicator for a year; numbers by default (`value_number`)."""

    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2025
    value_number = Decimal(12)


# A small but real PDF (pdfinfo reads it): what an evidence file holds unless a test gives `content=`.
SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _fiche_of_target(*targets: str):
    """The fiche of the first of `targets` given (an indicator, a milestone, a piece of evidence), else
    a new one."""
    declaration = factory.SubFactory(FicheFactory)
    for target in reversed(targets):
        declaration = factory.Maybe(
            target, yes_declaration=factory.SelfAttribute(f"{target}.fiche"), no_declaration=declaration
        )
    return declaration


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A piece of evidence of a fiche-year: a file saved through the storage (`content=` bytes, a small
    PDF by default; its size and SHA-256 computed from them), or with `link=True` a link. Written as
    is, without the upload service's checks: tests of those checks go through the service."""

    class Meta:
        model = Evidence

    class Params:
        content = SAMPLE_PDF
        link = factory.Trait(
            kind=EvidenceKind.LINK,
            file="",
            file_name="",
            content_type="",
            size=0,
            sha256="",
            url=factory.Sequence(lambda n: f"https://example.org/preuves/{n}"),
        )

    indicator = None
    milestone = None
    fiche = _fiche_of_target("indicator", "milestone")
    year = 2025
    title = factory.Sequence(lambda n: f"Preuve de test {n}")
    kind = EvidenceKind.FILE
    file_name = factory.Sequence(lambda n: f"preuve-{n}.pdf")
    # Stored under a name of its own, as the upload service does: `file_name` is the uploader's.
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="preuve" + Path(o.file_name).suffix))
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    dated = datetime.date(2025, 6, 30)


class ThreadFactory(factory.django.DjangoModelFactory):
    """A discussion of a fiche-year, open by default; about an indicator or a milestone when given."""

    class Meta:
        model = Thread

    indicator = None
    milestone = None
    evidence = None
    fiche = _fiche_of_target("indicator", "milestone", "evidence")
    year = 2025
    subject = factory.Sequence(lambda n: f"Question de test {n}")
    status = ThreadStatus.OPEN


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    thread = factory.SubFactory(ThreadFactory)
    body = factory.Sequence(lambda n: f"Message de test {n}")
