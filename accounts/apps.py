from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .services import sign_in_record

        # Which way a person signed in (password or SSO), for the admin's list of accounts.
        user_logged_in.connect(sign_in_record, dispatch_uid="accounts.sign_in_record")
