"""The benchmark's data: the real plan with its demo values, or the same ten times over."""

import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User

from actions.loading import plan_load
from actions.models import Fiche, Indicator, Plan
from actions.services import plan_publication_set
from core import rights
from indicators.demo import demo_load
from indicators.enums import ReviewStatus
from indicators.models import AnnualReview, Campaign, IndicatorValue

PLAN_DIR = Path(settings.BASE_DIR) / "fixtures" / "spaser54"
DEMO = Path(settings.BASE_DIR) / "fixtures" / "demo" / "demo.yaml"
PASSWORD = "banc-d-essai-spaser-54"
LOAD_CLIENTS = 20


def _plan_times(directory: Path, size: int) -> Path:
    """A copy of the plan's files where each fiche appears `size` times (numbers 1..21*size)."""
    target = Path(tempfile.mkdtemp(prefix="spaser-plan-"))
    shutil.copy(directory / "plan.yaml", target / "plan.yaml")
    (target / "fiches").mkdir()
    sources = sorted((directory / "fiches").glob("*.yaml"))
    for copy in range(size):
        for path in sources:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            data["number"] = int(data["number"]) + copy * len(sources)
            (target / "fiches" / f"{data['number']:03}.yaml").write_text(
                yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
            )
    return target


def _user(username: str, group: str, *, staff: bool = False, password_hash: str) -> User:
    user = User.objects.create(username=username, password=password_hash, is_staff=staff, first_name=username)
    user.groups.add(Group.objects.get(name=group))
    return user


def build(*, size: int) -> dict:
    """Load the plan (`size` times the fiches), its demo values, six years of values at 10x, and users."""
    directory = PLAN_DIR if size == 1 else _plan_times(PLAN_DIR, size)
    plan = plan_load(directory=directory).plan
    demo_load(path=DEMO)
    if size > 1:
        # Six years of values: fill every year of the plan the demo left empty.
        have = set(IndicatorValue.objects.values_list("indicator_id", "year"))
        IndicatorValue.objects.bulk_create(
            _filler(indicator, year)
            for indicator in Indicator.objects.of_plan(plan)
            for year in plan.years
            if (indicator.pk, year) not in have
        )
    password_hash = make_password(PASSWORD)
    fiche11 = Fiche.objects.get(plan=plan, number=11)
    _user("bench.scp", rights.SCP_GROUP, staff=True, password_hash=password_hash)
    _user("bench.comite", rights.COMMITTEE_GROUP, password_hash=password_hash)
    fiche11.ordered_pilots()[0].users.add(
        _user("bench.pilote", rights.PILOTS_GROUP, password_hash=password_hash)
    )
    # The load test's pilots: client i saves the values of fiche i + 1, its own. The demo declares
    # 9-R1 computed from the contracts register: the pilot of fiche 9 saves on such an indicator.
    for index in range(LOAD_CLIENTS):
        user = _user(f"bench.charge{index + 1:02}", rights.PILOTS_GROUP, password_hash=password_hash)
        Fiche.objects.get(plan=plan, number=index + 1).ordered_pilots()[0].users.add(user)
    # The demo submitted some fiches of the open year (locked for their pilots): back to draft, so
    # that every pilot of the load test may save.
    open_year = Campaign.objects.filter(plan=plan).open().get().year
    AnnualReview.objects.filter(fiche__plan=plan, year=open_year, status=ReviewStatus.SUBMITTED).update(
        status=ReviewStatus.DRAFT, submitted_at=None
    )
    # Published on the public site, as `make run` does: its pages are measured too.
    plan_publication_set(plan=Plan.objects.get(pk=plan.pk), is_public=True, user=None)
    return {
        "fiches": Fiche.objects.filter(plan=plan).count(),
        "indicators": Indicator.objects.of_plan(plan).count(),
        "values": IndicatorValue.objects.of_plan(plan).count(),
        "years": sorted(set(IndicatorValue.objects.of_plan(plan).values_list("year", flat=True))),
        "plan": Plan.objects.get(pk=plan.pk).slug,
    }


def _filler(indicator: Indicator, year: int) -> IndicatorValue:
    """A valid value of the indicator's type (the Excel import of the bench re-validates them all)."""
    value = IndicatorValue(
        indicator=indicator, year=year, is_demo=True, comment="Valeur de démonstration (banc d'essai)"
    )
    if indicator.is_numeric:
        value.set_raw(Decimal(year % 100))
    elif indicator.value_type == "boolean":
        value.set_raw(year % 2 == 0)
    else:
        value.set_raw(f"Démo {year}")
    return value
