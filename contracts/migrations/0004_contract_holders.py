"""Holders as a register: one row per holder of each contract, filled from the contracts' `holders`
JSON (the import keeps them in step from now on)."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 500


def siren_of(identifier: str) -> str:
    return identifier[:9] if len(identifier) == 14 and identifier.isdigit() else ""


def backfill(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    ContractHolder = apps.get_model("contracts", "ContractHolder")
    rows = []
    for pk, holders in (
        Contract.objects.order_by("pk").values_list("pk", "holders").iterator(chunk_size=BATCH)
    ):
        identifiers = [str(identifier)[:100] for identifier in holders or []]
        for position, identifier in enumerate(identifiers):
            rows.append(
                ContractHolder(
                    contract_id=pk,
                    identifier=identifier,
                    siren=siren_of(identifier),
                    position=position,
                    holders=len(identifiers),
                )
            )
        if len(rows) >= BATCH:
            ContractHolder.objects.bulk_create(rows, batch_size=BATCH)
            rows = []
    ContractHolder.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0003_register_data"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContractHolder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "identifier",
                    models.CharField(
                        db_index=True, max_length=100, verbose_name="identifiant (SIRET le plus souvent)"
                    ),
                ),
                ("siren", models.CharField(blank=True, db_index=True, max_length=9, verbose_name="SIREN")),
                ("position", models.PositiveSmallIntegerField(verbose_name="rang")),
                ("holders", models.PositiveSmallIntegerField(verbose_name="titulaires du contrat")),
                (
                    "contract",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="holder_rows",
                        to="contracts.contract",
                        verbose_name="contrat",
                    ),
                ),
            ],
            options={
                "verbose_name": "titulaire d'un contrat",
                "verbose_name_plural": "titulaires des contrats",
                "ordering": ["contract", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("contract", "position"), name="contract_holder_position")
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
