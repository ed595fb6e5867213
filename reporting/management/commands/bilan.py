from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actions.models import Plan
from reporting.models import PublishedBilan
from reporting.pdf import bilan_pdf
from reporting.selectors import bilan_build

FINAL = "fin-de-plan"


class Command(BaseCommand):
    help = (
        "Écrit le PDF du bilan d'une année (ou « fin-de-plan ») : "
        "python manage.py bilan 2025 --output bilan-2025.pdf"
    )

    def add_arguments(self, parser):
        parser.add_argument("year", help="Année du bilan, ou « fin-de-plan » pour toutes les années du plan.")
        parser.add_argument("--output", "-o", help="Fichier PDF à écrire (par défaut bilan-<année>.pdf).")
        parser.add_argument("--plan", help="Identifiant du plan (par défaut le plan en vigueur).")
        parser.add_argument(
            "--published",
            action="store_true",
            help="Écrire la dernière version publiée (figée) plutôt que le bilan des données actuelles.",
        )

    def handle(self, *args, year, output, plan, published, **options):
        if year == FINAL:
            bilan_year = None
        else:
            try:
                bilan_year = int(year)
            except ValueError:
                raise CommandError(
                    f"Année « {year} » invalide : donnez une année (2025) ou « {FINAL} »."
                ) from None
        selected = Plan.objects.filter(slug=plan).first() if plan else Plan.objects.current()
        if selected is None:
            raise CommandError(f"Plan « {plan} » introuvable." if plan else "Aucun plan n'est chargé.")
        if bilan_year is not None and bilan_year not in selected.years:
            raise CommandError(
                f"Le plan {selected} couvre les années {selected.start_year} à {selected.end_year}, "
                f"pas {bilan_year}."
            )
        path = Path(output or f"bilan-{year}.pdf")
        if not path.parent.exists():
            raise CommandError(f"Dossier introuvable : {path.parent}")

        if published:
            version = (
                PublishedBilan.objects.of_plan(selected).for_year(bilan_year).order_by("-version").first()
            )
            if version is None:
                raise CommandError("Aucune version publiée de ce bilan.")
            pdf = bytes(version.pdf)
            what = f"{version} (publiée le {version.published_at:%d/%m/%Y})"
        else:
            data = bilan_build(plan=selected, year=bilan_year)
            pdf = bilan_pdf(data)
            what = data["title"] + (" – DONNÉES DE DÉMONSTRATION" if data["is_demo"] else "")
        path.write_bytes(pdf)
        self.stdout.write(self.style.SUCCESS(f"{what} : {path} ({len(pdf) // 1024} Ko)"))
