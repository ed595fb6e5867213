"""The demo data set (fixtures/demo/demo.yaml): accounts, fictitious yearly values, and a fictitious
buyer with its fictitious contracts (fixtures/demo/decp-demo.json) for the contracts register.

Every value and review written here is flagged `is_demo`; pages and reports say so.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from actions import states
from actions.enums import ProgressStatus, ValueType
from actions.models import Buyer, Fiche, Indicator, Plan
from actions.services import user_attach_to_pilot
from contracts.models import RegisterIndicator
from contracts.services import decp_apply
from core import rights

from .demo_suppliers import demo_suppliers
from .enums import CampaignStatus, ReviewStatus
from .models import AnnualReview, Campaign, IndicatorValue

ROLE_GROUPS = {"scp": rights.SCP_GROUP, "pilote": rights.PILOTS_GROUP, "comite": rights.COMMITTEE_GROUP}


@dataclass
class DemoAccount:
    username: str
    password: str
    role: str
    description: str


def _demo_value(indicator: Indicator, year_index: int, rng: random.Random):
    base = rng.randint(2, 12)
    if indicator.value_type == ValueType.COUNT:
        return Decimal(base + 3 * year_index)
    if indicator.value_type == ValueType.PERCENTAGE:
        return Decimal(min(100, 20 + 12 * year_index + rng.randint(0, 9)))
    if indicator.value_type == ValueType.AMOUNT:
        return Decimal(rng.randint(5_000, 90_000)) + Decimal("0.50") * year_index
    if indicator.value_type == ValueType.HOURS:
        return Decimal(500 + 150 * year_index + rng.randint(0, 99))
    if indicator.value_type == ValueType.RATIO:
        return (Decimal(rng.randint(30, 60) + 8 * year_index) / 100).quantize(Decimal("0.01"))
    if indicator.value_type == ValueType.BOOLEAN:
        return year_index >= 1
    return f"Donnée de démonstration {indicator.code} pour l'année (texte fictif)."


def _demo_accounts(plan: Plan, data: dict) -> list[DemoAccount]:
    accounts = []
    for item in data["accounts"]:
        pilot = None
        if item.get("fiche"):
            fiche = Fiche.objects.get(plan=plan, number=item["fiche"])
            pilot = fiche.ordered_pilots()[item.get("pilot_index", 1) - 1]
        user_attach_to_pilot(
            username=item["username"],
            email=f"{item['username']}@example.org",
            first_name=item["first_name"],
            last_name=item["last_name"],
            password=data["password"],
            pilot=pilot,
            role_group=ROLE_GROUPS[item["role"]],
        )
        description = ROLE_GROUPS[item["role"]] + (
            f" – pilote de la fiche {item['fiche']} ({pilot})" if pilot else ""
        )
        accounts.append(DemoAccount(item["username"], data["password"], item["role"], description))
    return accounts


def _demo_campaigns(plan: Plan, years: list[int], campaign_data: dict, now) -> None:
    for year in years:
        Campaign.objects.get_or_create(
            plan=plan,
            year=year,
            defaults={
                "deadline": datetime.date(year + 1, 3, 31),
                "status": CampaignStatus.CLOSED,
                "closed_at": now,
            },
        )
    Campaign.objects.get_or_create(
        plan=plan,
        year=campaign_data["year"],
        defaults={"deadline": campaign_data["deadline"], "status": CampaignStatus.OPEN},
    )


def _demo_reviews(fiche: Fiche, years: list[int], open_year: int, rng: random.Random, now) -> None:
    """Validated reviews of the past years; a submitted one of the open year for every third fiche."""
    for index, year in enumerate(years):
        last = index == len(years) - 1
        AnnualReview.objects.create(
            fiche=fiche,
            year=year,
            status=ReviewStatus.VALIDATED,
            is_demo=True,
            progress_status=rng.choice(
                [ProgressStatus.IN_PROGRESS, ProgressStatus.DONE, ProgressStatus.POSTPONED]
            )
            if last
            else ProgressStatus.IN_PROGRESS,
            achievements=f"[Démo] Réalisations fictives de la fiche {fiche.number} en {year}.",
            difficulties=f"[Démo] Difficultés fictives rencontrées en {year}.",
            outlook=f"[Démo] Perspectives fictives pour {year + 1}.",
            submitted_at=now,
            validated_at=now,
        )
    if fiche.number % 3 == 0:
        AnnualReview.objects.create(
            fiche=fiche,
            year=open_year,
            status=ReviewStatus.SUBMITTED,
            is_demo=True,
            progress_status=ProgressStatus.IN_PROGRESS,
            submitted_at=now,
            achievements=f"[Démo] Réalisations fictives de la fiche {fiche.number} en {open_year}.",
        )


def _demo_register(plan: Plan, data: dict, folder: Path) -> None:
    """The demo buyer on the plan, its contracts imported (flagged demo), and the fiche indicators
    that count contracts computed from the register. Idempotent, like the import itself."""
    buyer = data["buyer"]
    Buyer.objects.get_or_create(
        plan=plan, siret=buyer["siret"], defaults={"name": buyer["name"], "is_demo": True}
    )
    decp_apply([str(folder / data["decp"])], buyers=[buyer["siret"]], is_demo=True)
    links = {link["code"]: link for link in data.get("register_indicators", [])}
    for indicator in Indicator.objects.of_plan(plan).filter(code__in=links):  # a trimmed plan lacks some
        link = links[indicator.code]
        RegisterIndicator.objects.get_or_create(
            indicator=indicator,
            defaults={
                "category": link["category"],
                "holders": link.get("holders", ""),
                "measure": link["measure"],
            },
        )


class DemoRefused(Exception):
    """The plan's state does not take demo values (French message)."""


@transaction.atomic
def demo_load(*, path: Path) -> tuple[list[DemoAccount], bool]:
    """Create the demo accounts and, once, the demo values. Idempotent: a second run adds nothing."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    plan = Plan.objects.get(slug=data["plan"])
    loaded = IndicatorValue.objects.of_plan(plan).demo().exists()
    refusal = None if loaded else (states.follow_up_state_refusal(plan, None) or states.content_refusal(plan))
    if refusal:  # demo values go into a plan being followed, never into a draft or a closed plan
        raise DemoRefused(refusal)
    accounts = _demo_accounts(plan, data)
    if "buyer" in data:
        _demo_register(plan, data, Path(path).parent)
        demo_suppliers(data, Path(path).parent)
    if loaded:
        return accounts, False

    rng = random.Random(data.get("seed", 54))
    now = timezone.now()
    years, open_year = list(data["validated_years"]), data["campaign"]["year"]
    _demo_campaigns(plan, years, data["campaign"], now)
    indicators = list(Indicator.objects.of_plan(plan).select_related("fiche").in_plan_order())
    for fiche in {i.fiche_id: i.fiche for i in indicators}.values():
        _demo_reviews(fiche, years, open_year, rng, now)
    for indicator in indicators:
        entered_years = years + ([open_year] if indicator.fiche.number % 3 == 0 else [])
        for index, year in enumerate(entered_years):
            if rng.random() < 0.1:  # some values are missing, as in real life
                continue
            value = IndicatorValue(
                indicator=indicator, year=year, is_demo=True, comment="Valeur de démonstration"
            )
            value.set_raw(_demo_value(indicator, index, rng))
            value.save()
    return accounts, True
