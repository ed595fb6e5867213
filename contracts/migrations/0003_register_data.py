"""Data for the hardened register: the considerations as published (the columns, before any
correction), the thresholds SCP starts from, and the freeze of plans already closed."""

import datetime

from django.db import migrations

FLAGS = ("social_clause", "social_criterion", "reserved", "environmental_clause", "environmental_criterion")

THRESHOLDS = [
    # (kind, amount, valid from, source, url)
    (
        "plafond",
        "1000000000",
        datetime.date(2000, 1, 1),
        "Valeur par défaut de l'application (1 milliard d'euros HT) : au-delà, un montant est tenu pour "
        "une erreur de saisie, comme le fait la consolidation nationale des DECP.",
        "",
    ),
    (
        "fournitures_services",
        "221000",
        datetime.date(2024, 1, 1),
        "Règlement délégué (UE) 2023/2495 de la Commission (seuils 2024-2025), annexe 2 du code de la "
        "commande publique",
        "",
    ),
    (
        "fournitures_services",
        "216000",
        datetime.date(2026, 1, 1),
        "Règlement délégué (UE) 2025/2152 de la Commission du 22 octobre 2025 (seuils 2026-2027), "
        "annexe 2 du code de la commande publique",
        "",
    ),
    (
        "travaux",
        "5538000",
        datetime.date(2024, 1, 1),
        "Règlement délégué (UE) 2023/2495 de la Commission (seuils 2024-2025), annexe 2 du code de la "
        "commande publique",
        "",
    ),
    (
        "travaux",
        "5404000",
        datetime.date(2026, 1, 1),
        "Règlement délégué (UE) 2025/2152 de la Commission du 22 octobre 2025 (seuils 2026-2027), "
        "annexe 2 du code de la commande publique",
        "",
    ),
    (
        "concessions",
        "5538000",
        datetime.date(2024, 1, 1),
        "Règlement délégué (UE) 2023/2497 de la Commission (seuils 2024-2025), annexe 2 du code de la "
        "commande publique",
        "",
    ),
    (
        "concessions",
        "5404000",
        datetime.date(2026, 1, 1),
        "Règlement délégué (UE) 2025/2151 de la Commission du 22 octobre 2025 (seuils 2026-2027), "
        "annexe 2 du code de la commande publique",
        "",
    ),
]


def forwards(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    changed = []
    for contract in Contract.objects.filter(published={}).iterator(chunk_size=2000):
        contract.published = {
            "social": contract.social,
            "environmental": contract.environmental,
            **{flag: getattr(contract, flag) for flag in FLAGS},
            "social_words": [],
            "environmental_words": [],
        }
        changed.append(contract)
    Contract.objects.bulk_update(changed, ["published"], batch_size=2000)

    Threshold = apps.get_model("contracts", "Threshold")
    HistoricalThreshold = apps.get_model("contracts", "HistoricalThreshold")
    for kind, amount, valid_from, source, url in THRESHOLDS:
        threshold, created = Threshold.objects.get_or_create(
            kind=kind, valid_from=valid_from, defaults={"amount": amount, "source": source, "url": url}
        )
        if created:  # its history starts with the value, so a plan frozen later reads it "as of" then
            HistoricalThreshold.objects.create(
                id=threshold.pk,
                kind=kind,
                amount=amount,
                valid_from=valid_from,
                source=source,
                url=url,
                version=threshold.version,
                history_date=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
                history_type="+",
                history_change_reason="Valeur initiale",
            )

    Plan = apps.get_model("actions", "Plan")
    HistoricalPlan = apps.get_model("actions", "HistoricalPlan")
    RegisterFreeze = apps.get_model("contracts", "RegisterFreeze")
    for plan in Plan.objects.filter(state="clos"):
        closing = (
            HistoricalPlan.objects.filter(id=plan.pk)
            .exclude(state="clos")
            .order_by("-history_date")
            .values_list("history_date", flat=True)
            .first()
        )
        closed_at = (
            HistoricalPlan.objects.filter(id=plan.pk, state="clos", **({"history_date__gt": closing} if closing else {}))
            .order_by("history_date")
            .values_list("history_date", flat=True)
            .first()
        )
        if closed_at is not None:
            RegisterFreeze.objects.get_or_create(plan=plan, defaults={"frozen_at": closed_at})


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0009_several_plans"),
        ("contracts", "0002_register_hardened"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
