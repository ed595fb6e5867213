import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Values now point at actions.Indicator (same table, renamed in 0002); the old model leaves."""

    dependencies = [
        ("indicators", "0002_indicator_table_to_actions"),
        ("actions", "0004_indicator"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="indicatorvalue",
                    name="indicator",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="values",
                        to="actions.indicator",
                        verbose_name="indicateur",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalindicatorvalue",
                    name="indicator",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="actions.indicator",
                        verbose_name="indicateur",
                    ),
                ),
                migrations.DeleteModel(name="HistoricalIndicator"),
                migrations.DeleteModel(name="Indicator"),
            ],
        ),
    ]
