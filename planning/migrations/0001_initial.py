"""The next plan's decisions, moved from the actions app (actions 0010 renamed their tables): state only,
and their content types follow, so that the role groups' permissions and the admin log keep them."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MODELS = ("fichedecision", "historicalfichedecision")


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types(apps, schema_editor):
    _move(apps, "actions", "planning")


def move_content_types_back(apps, schema_editor):
    _move(apps, "planning", "actions")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('actions', '0010_fiche_decision_to_planning'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalFicheDecision',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                        ('decision', models.CharField(choices=[('reconduite', 'Reconduite'), ('modifiee', 'Reconduite et modifiée'), ('fusionnee', 'Fusionnée dans une autre fiche'), ('achevee', 'Achevée'), ('abandonnee', 'Abandonnée')], default='reconduite', max_length=20, verbose_name='décision')),
                        ('reason', models.TextField(blank=True, verbose_name='motif')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.TextField(null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('fiche', models.ForeignKey(blank=True, db_constraint=False, help_text="La fiche qui la poursuit (reconduite) ou qui l'absorbe (fusionnée).", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actions.fiche', verbose_name='fiche du nouveau plan')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('plan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actions.plan', verbose_name='nouveau plan')),
                        ('previous', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actions.fiche', verbose_name='fiche du plan précédent')),
                    ],
                    options={
                        'verbose_name': 'historical décision sur une fiche',
                        'verbose_name_plural': 'historical décisions sur les fiches',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='FicheDecision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                        ('decision', models.CharField(choices=[('reconduite', 'Reconduite'), ('modifiee', 'Reconduite et modifiée'), ('fusionnee', 'Fusionnée dans une autre fiche'), ('achevee', 'Achevée'), ('abandonnee', 'Abandonnée')], default='reconduite', max_length=20, verbose_name='décision')),
                        ('reason', models.TextField(blank=True, verbose_name='motif')),
                        ('fiche', models.ForeignKey(blank=True, help_text="La fiche qui la poursuit (reconduite) ou qui l'absorbe (fusionnée).", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='origins', to='actions.fiche', verbose_name='fiche du nouveau plan')),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='fiche_decisions', to='actions.plan', verbose_name='nouveau plan')),
                        ('previous', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='decisions', to='actions.fiche', verbose_name='fiche du plan précédent')),
                    ],
                    options={
                        'verbose_name': 'décision sur une fiche',
                        'verbose_name_plural': 'décisions sur les fiches',
                        'ordering': ['plan', 'previous__number'],
                        'constraints': [models.UniqueConstraint(fields=('plan', 'previous'), name='fiche_decision_unique')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
