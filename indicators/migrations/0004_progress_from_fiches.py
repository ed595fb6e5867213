import datetime

from django.db import migrations
from django.utils import timezone

REASON = "Reprise de l'état d'avancement saisi sur la fiche (un seul emplacement : le bilan annuel)."


def fiche_status_to_reviews(apps, schema_editor):
    """Keep a status SCP had set on a fiche that no annual review states.

    A fiche's progress now lives only in its annual reviews. Where reviews exist, they are what the
    pilots stated and the bilans showed, and they stay as they are. A fiche with no review at all but
    a status other than the default (set by SCP in the admin or an import) gets a validated review of
    the latest past year of the plan whose campaign is not open, stating that status, recorded in the
    history with the reason.
    """
    Fiche = apps.get_model("actions", "Fiche")
    AnnualReview = apps.get_model("indicators", "AnnualReview")
    Campaign = apps.get_model("indicators", "Campaign")
    HistoricalAnnualReview = apps.get_model("indicators", "HistoricalAnnualReview")
    now = timezone.now()
    this_year = datetime.date.today().year
    for fiche in Fiche.objects.exclude(status="non_demarree").select_related("plan"):
        if AnnualReview.objects.filter(fiche=fiche).exists():
            continue
        plan = fiche.plan
        open_years = set(Campaign.objects.filter(plan=plan, status="ouverte").values_list("year", flat=True))
        years = [y for y in range(plan.start_year, plan.end_year + 1) if y < this_year and y not in open_years]
        year = years[-1] if years else plan.start_year
        review = AnnualReview.objects.create(
            fiche=fiche, year=year, status="valide", progress_status=fiche.status, validated_at=now
        )
        fields = {f.attname: getattr(review, f.attname) for f in AnnualReview._meta.fields}
        HistoricalAnnualReview.objects.create(
            **fields, history_date=now, history_type="+", history_change_reason=REASON
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_indicator_moved")]

    operations = [migrations.RunPython(fiche_status_to_reviews, migrations.RunPython.noop)]
