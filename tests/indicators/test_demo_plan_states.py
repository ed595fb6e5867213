"""Demo values go into a plan being followed: `load_demo` refuses a draft and a closed plan, writing
nothing, in French."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from actions.enums import PlanState
from actions.models import Plan
from core.versioning import save_claimed
from indicators.models import AnnualReview, Campaign, IndicatorValue
from planning.services import plan_prepare_next

pytestmark = pytest.mark.django_db

DEMO = settings.BASE_DIR / "fixtures" / "demo" / "demo.yaml"


def _counts():
    return (IndicatorValue.objects.count(), AnnualReview.objects.count(), Campaign.objects.count())


def test_demo_values_are_refused_in_a_draft(spaser54, scp_user, tmp_path):
    draft = plan_prepare_next(
        old=spaser54, slug="suite", title="Suite", start_year=2027, end_year=2032, user=scp_user
    )
    demo = tmp_path / "demo.yaml"
    demo.write_text(DEMO.read_text(encoding="utf-8").replace(f"plan: {spaser54.slug}", f"plan: {draft.slug}"))
    before = _counts()
    with pytest.raises(CommandError, match="en préparation"):
        call_command("load_demo", str(demo))
    assert _counts() == before


def test_demo_values_are_refused_in_a_closed_plan(spaser54, scp_user):
    plan = Plan.objects.get(pk=spaser54.pk)
    plan.state = PlanState.CLOSED
    save_claimed(plan, seen=None, user=scp_user)
    before = _counts()
    with pytest.raises(CommandError, match="est clos"):
        call_command("load_demo", str(DEMO))
    assert _counts() == before
