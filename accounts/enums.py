from django.db import models


class SignInMethod(models.TextChoices):
    """How a person signed in, as the admin's list of accounts shows it."""

    PASSWORD = "password", "Mot de passe"
    SSO = "sso", "Connexion unique"
