from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from actions.models import Plan
from planning.services import PreparationError, plan_prepare_next


class Command(BaseCommand):
    help = (
        "Prépare le plan suivant à partir d'un plan : cadre copié, chaque fiche « reconduite », "
        "indicateurs prolongés, jalons à redater. Le service commande publique affine ensuite."
    )

    def add_arguments(self, parser):
        parser.add_argument("old_slug", help="Identifiant du plan dont on prépare la suite.")
        parser.add_argument("--slug", required=True, help="Identifiant du nouveau plan.")
        parser.add_argument("--title", required=True, help="Titre du nouveau plan.")
        parser.add_argument(
            "--short-title", default="", help="Titre court (par défaut : celui du plan précédent)."
        )
        parser.add_argument("--start", type=int, required=True, help="Première année.")
        parser.add_argument("--end", type=int, required=True, help="Dernière année.")
        parser.add_argument("--by", default=None, help="Identifiant de l'auteur (historique).")

    def handle(self, *args, old_slug, slug, title, short_title, start, end, by, **options):
        old = Plan.objects.filter(slug=old_slug).first()
        if old is None:
            raise CommandError(f"Aucun plan n'a l'identifiant « {old_slug} ».")
        try:
            validate_slug(slug)
        except ValidationError as exc:
            raise CommandError(f"Identifiant « {slug} » invalide : lettres, chiffres, tirets.") from exc
        user = None
        if by:
            user = User.objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"Aucun compte « {by} ».")
        try:
            new = plan_prepare_next(
                old=old,
                slug=slug,
                title=title,
                short_title=short_title,
                start_year=start,
                end_year=end,
                user=user,
            )
        except (PreparationError, PermissionDenied) as exc:  # PermissionDenied: --by is not SCP
            raise CommandError(f"Plan non préparé, rien n'a été écrit : {exc}") from exc
        fiches = new.fiches.count()
        indicators = sum(f.indicators.count() for f in new.fiches.all())
        self.stdout.write(
            self.style.SUCCESS(
                f"{new} préparé (en préparation) : {fiches} fiches reconduites, {indicators} indicateurs "
                f"prolongés. Décidez de chaque fiche dans « Préparer le plan suivant »."
            )
        )
