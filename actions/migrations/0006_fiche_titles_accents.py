from django.db import migrations
from django.utils import timezone

# The document writes these two titles without the accent on their fiche pages and with it in the
# summary table; the correct French is kept (fixtures/spaser54/NOTES.md).
FIXES = {
    "Systematiser l'approche « baisse des GES » par les critères/engagements du conseil départemental": (
        "Systématiser l'approche « baisse des GES » par les critères/engagements du conseil départemental"
    ),
    "Systematiser le suivi et la restitution aux services acheteurs": (
        "Systématiser le suivi et la restitution aux services acheteurs"
    ),
}
REASON = "Titre corrigé : « Systématiser », comme dans le tableau de synthèse du document."


def fix_titles(apps, schema_editor):
    """Fix the two titles in a SPASER 54 loaded before the correction, with a history record."""
    Fiche = apps.get_model("actions", "Fiche")
    HistoricalFiche = apps.get_model("actions", "HistoricalFiche")
    now = timezone.now()
    for fiche in Fiche.objects.filter(plan__slug="spaser54-2021-2026", title__in=FIXES):
        fiche.title = FIXES[fiche.title]
        fiche.version += 1
        fiche.save(update_fields=["title", "version", "updated_at"])
        fields = {f.attname: getattr(fiche, f.attname) for f in Fiche._meta.fields}
        HistoricalFiche.objects.create(**fields, history_date=now, history_type="~", history_change_reason=REASON)


class Migration(migrations.Migration):
    dependencies = [("actions", "0005_versions_and_one_progress_status")]

    operations = [migrations.RunPython(fix_titles, migrations.RunPython.noop)]
