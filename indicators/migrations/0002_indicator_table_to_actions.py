from django.db import migrations


class Migration(migrations.Migration):
    """First step of moving Indicator (the plan's definition of an indicator) down to the actions app.

    Its tables are renamed to the names the actions app gives them; the model itself moves in the
    state only (actions 0004, indicators 0003), so no row is copied and every foreign key keeps
    pointing at the same rows.
    """

    dependencies = [("indicators", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("indicator", "actions_indicator"),
                migrations.AlterModelTable("historicalindicator", "actions_historicalindicator"),
            ],
        ),
    ]
