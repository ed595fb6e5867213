import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indicators.services.reminders import campaign_remind


class Command(BaseCommand):
    help = (
        "Relance les pilotes dont les fiches ne sont pas soumises, quelques jours avant la date limite de "
        "la campagne ouverte (notification « date limite proche » : un e-mail aussitôt ou dans le résumé "
        "du jour, selon le choix de chacun). À lancer chaque jour par cron ; relancé le même jour, il ne "
        "relance personne deux fois."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            nargs="+",
            default=None,
            help="Jours avant la date limite où relancer (défaut : réglage SPASER_REMINDER_DAYS).",
        )
        parser.add_argument("--today", default=None, help="Date du jour AAAA-MM-JJ (pour essayer).")
        parser.add_argument("--dry-run", action="store_true", help="Affiche les relances sans envoyer.")

    def handle(self, *args, days, today, dry_run, **options):
        days = days or settings.SPASER_REMINDER_DAYS
        if any(d < 0 for d in days):
            raise CommandError("Les jours doivent être positifs.")
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"Date invalide : {today} (attendu AAAA-MM-JJ).") from exc
        reminders = campaign_remind(days=days, today=day, send=not dry_run)
        for reminder in reminders:
            self.stdout.write(
                f"{'[essai] ' if dry_run else ''}{reminder.email} : campagne {reminder.year}, "
                f"fiches {', '.join(str(n) for n in reminder.fiche_numbers)}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"{len(reminders)} relance(s) {'à envoyer' if dry_run else 'envoyée(s)'}.")
        )
