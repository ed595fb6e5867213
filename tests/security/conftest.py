"""What the security tests point the URLs at."""

import datetime
from dataclasses import dataclass

import pytest

from actions.models import Fiche, Plan
from indicators.models import Campaign
from reporting.services import bilan_publish, published_bilan_set_public


@dataclass
class Site:
    """What the URLs point at: the plan, fiche 11, an open campaign, a published (public) bilan."""

    plan: Plan
    year: int  # the open campaign's year
    bilan_year: int
    published: int  # pk of a published bilan made public


@pytest.fixture
def site(spaser54, role_users) -> Site:
    # Fiches 11 (the pilot's) and 5 (the other pilot's) are enough, and make the PDFs quick.
    Fiche.objects.filter(plan=spaser54).exclude(number__in=[5, 11]).delete()
    Campaign.objects.create(plan=spaser54, year=2025, deadline=datetime.date(2026, 3, 31))
    published = bilan_publish(plan=spaser54, year=2024, user=role_users["scp"])
    published_bilan_set_public(bilan=published, is_public=True, user=role_users["scp"])
    return Site(plan=spaser54, year=2025, bilan_year=2024, published=published.pk)
