from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actions.loading import PlanLoadError, plan_load


class Command(BaseCommand):
    help = "Charge un plan (plan.yaml et fiches/*.yaml). Sans effet si le plan est déjà chargé."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default="fixtures/spaser54", help="Dossier du plan.")

    def handle(self, *args, directory, **options):
        path = Path(directory)
        if not (path / "plan.yaml").exists():
            raise CommandError(f"Fichier introuvable : {path / 'plan.yaml'}")
        try:
            report = plan_load(directory=path)
        except PlanLoadError as exc:
            raise CommandError(f"Plan non chargé, rien n'a été écrit : {exc}") from exc
        if not report.created:
            self.stdout.write(f"{report.plan} déjà chargé : rien à faire.")
            return
        details = ", ".join(f"{count} {name}" for name, count in report.counts.items())
        self.stdout.write(self.style.SUCCESS(f"{report.plan} chargé : {details}."))
