"""The next plan's decisions move to the planning app, with their rows and history.

The tables are renamed to the planning app's names (database), and the models leave this app's state;
planning's 0001 takes them into its state without touching the database, and moves their content
types (so permissions and admin log entries follow).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0009_several_plans'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name='fichedecision', table='planning_fichedecision'),
                migrations.AlterModelTable(name='historicalfichedecision', table='planning_historicalfichedecision'),
            ],
            state_operations=[
            migrations.RemoveField(
                model_name='historicalfichedecision',
                name='fiche',
            ),
            migrations.RemoveField(
                model_name='historicalfichedecision',
                name='history_user',
            ),
            migrations.RemoveField(
                model_name='historicalfichedecision',
                name='plan',
            ),
            migrations.RemoveField(
                model_name='historicalfichedecision',
                name='previous',
            ),
            migrations.DeleteModel(
                name='FicheDecision',
            ),
            migrations.DeleteModel(
                name='HistoricalFicheDecision',
            ),
            ],
        ),
    ]
