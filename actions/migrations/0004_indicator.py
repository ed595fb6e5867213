import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    """Permissions and admin log entries follow the model: its content types change app, not id."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("indicator", "historicalindicator"):
        if not ContentType.objects.filter(app_label="actions", model=model).exists():
            ContentType.objects.filter(app_label="indicators", model=model).update(app_label="actions")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("indicator", "historicalindicator"):
        ContentType.objects.filter(app_label="actions", model=model).update(app_label="indicators")


class Migration(migrations.Migration):
    """Indicator now belongs to the plan (actions); its tables were renamed by indicators 0002."""

    dependencies = [
        ("actions", "0003_restrict_instead_of_protect"),
        ("indicators", "0002_indicator_table_to_actions"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalIndicator',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('code', models.CharField(help_text='Identifiant stable dans le plan, par exemple « 5-R1 ».', max_length=20, verbose_name='code')),
                        ('kind', models.CharField(choices=[('realisation', 'Réalisation'), ('evaluation', 'Évaluation'), ('impact', 'Impact')], max_length=20, verbose_name="type d'indicateur")),
                        ('label', models.TextField(verbose_name='libellé')),
                        ('group', models.CharField(blank=True, max_length=200, verbose_name='intitulé commun')),
                        ('value_type', models.CharField(choices=[('count', 'Nombre'), ('percentage', 'Pourcentage'), ('amount', 'Montant (€)'), ('hours', 'Heures'), ('ratio', 'Ratio'), ('boolean', 'Oui / non'), ('text', 'Texte libre')], max_length=20, verbose_name='type de valeur')),
                        ('unit', models.CharField(blank=True, max_length=40, verbose_name='unité')),
                        ('target_value', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='valeur cible')),
                        ('target_year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='année cible')),
                        ('baseline_value', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='valeur de référence')),
                        ('baseline_year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='année de référence')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='ordre')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.TextField(null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('fiche', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actions.fiche', verbose_name='fiche')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical indicateur',
                'verbose_name_plural': 'historical indicateurs',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Indicator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='Identifiant stable dans le plan, par exemple « 5-R1 ».', max_length=20, verbose_name='code')),
                ('kind', models.CharField(choices=[('realisation', 'Réalisation'), ('evaluation', 'Évaluation'), ('impact', 'Impact')], max_length=20, verbose_name="type d'indicateur")),
                ('label', models.TextField(verbose_name='libellé')),
                ('group', models.CharField(blank=True, max_length=200, verbose_name='intitulé commun')),
                ('value_type', models.CharField(choices=[('count', 'Nombre'), ('percentage', 'Pourcentage'), ('amount', 'Montant (€)'), ('hours', 'Heures'), ('ratio', 'Ratio'), ('boolean', 'Oui / non'), ('text', 'Texte libre')], max_length=20, verbose_name='type de valeur')),
                ('unit', models.CharField(blank=True, max_length=40, verbose_name='unité')),
                ('target_value', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='valeur cible')),
                ('target_year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='année cible')),
                ('baseline_value', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='valeur de référence')),
                ('baseline_year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='année de référence')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='ordre')),
                ('fiche', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='indicators', to='actions.fiche', verbose_name='fiche')),
            ],
            options={
                'verbose_name': 'indicateur',
                'verbose_name_plural': 'indicateurs',
                'ordering': ['fiche', 'position'],
                'constraints': [models.UniqueConstraint(fields=('fiche', 'code'), name='indicator_code_unique')],
            },
        ),
            ],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
