from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions.models import Plan
from actions.services import plan_publication_set
from reporting.models import PublishedBilan
from reporting.services import PublicationRefused, bilan_publish, published_bilan_set_public


class Command(BaseCommand):
    help = (
        "Publie un plan sur le site public (sans connexion) et, avec --bilan, rend public le bilan d'une "
        "année (publié au besoin). Sans effet sur ce qui est déjà public."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="identifiant du plan, par exemple spaser54-2021-2026")
        parser.add_argument("--by", help="identifiant du compte qui publie (historique)")
        parser.add_argument("--bilan", type=int, help="année dont le bilan est aussi rendu public")

    def handle(self, *args, **options):
        try:
            self._publish(**options)
        except PermissionDenied as refusal:  # --by names an account without the right: nothing written
            raise CommandError(str(refusal)) from None

    @transaction.atomic
    def _publish(self, *, slug, by, bilan, **options):
        plan = Plan.objects.filter(slug=slug).first()
        if plan is None:
            raise CommandError(f"Plan inconnu : {slug}")
        user = User.objects.filter(username=by).first() if by else None
        if by and user is None:
            raise CommandError(f"Compte inconnu : {by}")
        if not plan.is_public:
            plan_publication_set(plan=plan, is_public=True, user=user)
            self.stdout.write(self.style.SUCCESS(f"{plan} : publié sur le site public (/public/{slug}/)."))
        else:
            self.stdout.write(f"{plan} : déjà publié sur le site public (/public/{slug}/).")
        if bilan is not None:
            self._public_bilan(plan, bilan, user)

    def _public_bilan(self, plan: Plan, year: int, user: User | None) -> None:
        if year not in plan.years:
            raise CommandError(f"Le plan ne couvre pas l'année {year}.")
        versions = PublishedBilan.objects.of_plan(plan).for_year(year).without_content()
        if versions.public().exists():
            self.stdout.write(f"Bilan {year} : une version est déjà publique.")
            return
        try:
            version = versions.order_by("-version").first() or bilan_publish(plan=plan, year=year, user=user)
            published_bilan_set_public(bilan=version, is_public=True, user=user)
        except PublicationRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(self.style.SUCCESS(f"{version} : rendu public."))
