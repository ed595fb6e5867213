from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.demo import DemoRefused, demo_load


class Command(BaseCommand):
    help = "Charge le jeu de démonstration (comptes et valeurs fictives). Sans effet s'il est déjà chargé."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="fixtures/demo/demo.yaml")

    def handle(self, *args, path, **options):
        if not Path(path).exists():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            accounts, created = demo_load(path=Path(path))
        except DemoRefused as refusal:
            raise CommandError(
                f"Valeurs de démonstration non chargées, rien n'a été écrit : {refusal}"
            ) from None
        if created:
            self.stdout.write(
                self.style.SUCCESS("Valeurs de démonstration chargées (signalées comme fictives).")
            )
        else:
            self.stdout.write("Valeurs de démonstration déjà présentes : rien à ajouter.")
        self.stdout.write("\nComptes de démonstration (identifiant / mot de passe) :")
        for account in accounts:
            self.stdout.write(f"  {account.username:<16} {account.password}   {account.description}")
