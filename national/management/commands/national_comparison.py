import json

from django.core.management.base import BaseCommand, CommandError

from national import selectors


class Command(BaseCommand):
    help = (
        "La comparaison nationale d'un acheteur pour une année : ses parts de contrats avec une "
        "considération sociale et environnementale, la médiane et son rang parmi les acheteurs de sa "
        "catégorie (DECP consolidées, dernier calcul national)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, metavar="ANNÉE")
        parser.add_argument("--buyer", required=True, metavar="SIRET")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, year, buyer, format, **options):
        try:
            found = selectors.comparison(buyer.replace(" ", ""), year)
        except selectors.UnknownComparison as exc:
            raise CommandError(str(exc)) from exc
        data = found.as_json()
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for key, value in data.items():
            self.stdout.write(f"{key} : {value}")
