"""Accounts: sign-in (local passwords, OpenID Connect single sign-on), invitations, deactivation."""
