"""Forget the jobs finished more than JOBS_KEEP_DAYS (or --days) ago, with their files: for cron,
where no Celery beat runs."""

from django.conf import settings
from django.core.management.base import BaseCommand

from jobs.services import jobs_purge


class Command(BaseCommand):
    help = "Supprime les travaux terminés depuis plus de JOBS_KEEP_DAYS jours, avec leurs fichiers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Ancienneté en jours (défaut : JOBS_KEEP_DAYS)."
        )

    def handle(self, *args, days=None, **options):
        days = settings.JOBS_KEEP_DAYS if days is None else days
        purged = jobs_purge(days=days)
        self.stdout.write(f"{purged} travail(s) terminé(s) depuis plus de {days} jour(s) supprimé(s).")
