from django.apps import AppConfig


class NationalConfig(AppConfig):
    name = "national"
    verbose_name = "Comparaison nationale"

    def ready(self):
        # The SIRENE import keeps the national buyers' legal units: their kind (département, région,
        # commune, EPCI, other) is read from their legal category.
        from suppliers.wanted import register_provider

        register_provider(national_buyers)


def national_buyers():
    """Every buyer (SIREN) of the national figures."""
    from .models import NationalFigure

    return NationalFigure.objects.order_by().values_list("buyer_siren", flat=True).distinct().iterator()
