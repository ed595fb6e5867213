import csv
import json

from django.core.management.base import BaseCommand, CommandError

from actions.models import Plan
from contracts.enums import Category
from contracts.selectors import legal_figures
from suppliers.enums import SupplierCategory


class Command(BaseCommand):
    help = (
        "Indicateurs légaux (art. L2111-3 du code de la commande publique) d'une année, en nombre de "
        "contrats et en valeur (montants initiaux HT), pour les acheteurs du plan."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, metavar="SLUG")
        parser.add_argument("--year", required=True, type=int, metavar="ANNÉE")
        parser.add_argument(
            "--buyer", action="append", default=[], metavar="SIRET", help="Remplace les acheteurs du plan."
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, plan, year, buyer, format, **options):
        try:
            chosen = Plan.objects.get(slug=plan)
        except Plan.DoesNotExist:
            raise CommandError(f"Plan inconnu : « {plan} ».") from None
        bad = [s for s in buyer if not (s.isdigit() and len(s) == 14)]
        if bad:
            raise CommandError(f"SIRET invalide : {', '.join(bad)} (14 chiffres attendus).")
        data = legal_figures(chosen, year, buyer or None).as_json()
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["plan", "annee", "acheteurs", "indicateur", "libelle", "nombre", "montant_ht"])
        for category, label in Category.choices:
            figure = data[category]
            writer.writerow(
                [plan, year, " ".join(data["buyers"]), category, label, figure["count"], figure["amount"]]
            )
        # The shares by category of holders (a contract may count in several: they do not add up).
        for key, label in SupplierCategory.choices:
            figure = data[key]
            writer.writerow(
                [
                    plan,
                    year,
                    " ".join(data["buyers"]),
                    key,
                    f"Titulaires : {label}",
                    figure["count"],
                    figure["amount"],
                ]
            )
        # The contracts behind the figures, one line each (a uid begins with the buyer's SIRET: never a
        # formula for a spreadsheet).
        listed = {
            "missing_environmental": data["missing_environmental_since_2026_08_21"],
            **data["duties_since_2026_08_21"],
            "amount_anomaly": data["amount_anomalies"],
            "corrected": data["corrected"],
            "excluded": data["excluded"],
        }
        for kind, uids in listed.items():
            for uid in uids:
                writer.writerow([plan, year, " ".join(data["buyers"]), kind, uid, "", ""])
