"""Accounts: invitations, deactivation, and the account an OpenID Connect sign-in leads to.

Signing in never grants a right: rights come from the role groups and pilot posts that SCP gives
(core.rights), here through `user_invite`, or in the admin.
"""

from collections.abc import Iterable
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import queue, rights
from core.caching import data_changed

from .enums import SignInMethod
from .models import Account, Invitation
from .tasks import invitation_send_task
from .tokens import invitation_token

OIDC_BACKEND = "accounts.oidc.OIDCBackend"


class SignInRefused(Exception):
    """A single sign-on the application refuses, with the French message shown to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _unique_username(email: str) -> str:
    base = email[:140]
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def _accept_pending(user: User) -> None:
    for invitation in Invitation.objects.filter(user=user).pending():
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])


def _email_verified(claims: dict) -> bool:
    return claims.get("email_verified") in (True, "true") or settings.OIDC_EMAILS_VERIFIED


@transaction.atomic
def oidc_account_match(*, claims: dict, issuer: str) -> User:
    """The account a person signing in through the OpenID Connect provider gets.

    The account already linked to this provider's subject; else the one active account whose e-mail
    the provider says is verified (then linked); else a new account with no group, no pilot post, not
    staff. A deactivated account, an unverified e-mail, an ambiguous one are refused (SignInRefused).
    """
    subject = str(claims.get("sub") or "")
    email = (claims.get("email") or "").strip().lower()
    linked = subject and Account.objects.filter(sso_issuer=issuer, sso_subject=subject).first()
    if linked:
        user = linked.user
    else:
        if not email:
            raise SignInRefused("Le fournisseur d'identité n'a pas transmis votre adresse e-mail.")
        if not _email_verified(claims):
            raise SignInRefused(
                "Votre adresse e-mail n'est pas vérifiée par le fournisseur d'identité : la "
                "connexion est refusée. Faites vérifier votre adresse auprès de lui, ou contactez le "
                "service commande publique."
            )
        matches = list(User.objects.filter(email__iexact=email)[:2])
        if len(matches) > 1:
            raise SignInRefused(
                "Plusieurs comptes portent cette adresse e-mail : demandez au service commande publique "
                "de n'en garder qu'un."
            )
        user = matches[0] if matches else _account_create(email=email, claims=claims)
        Account.objects.update_or_create(user=user, defaults={"sso_issuer": issuer, "sso_subject": subject})
    if not user.is_active:
        raise SignInRefused("Ce compte a été désactivé : contactez le service commande publique.")
    _accept_pending(user)
    return user


def _account_create(*, email: str, claims: dict) -> User:
    """An account with no rights (no group, no post, not staff, no password) for a first sign-in."""
    return User.objects.create_user(
        username=_unique_username(email),
        email=email,
        first_name=(claims.get("given_name") or "")[:150],
        last_name=(claims.get("family_name") or claims.get("usual_name") or "")[:150],
    )


def sign_in_record(sender, request, user: User, **kwargs) -> None:
    """Keep the way the person signed in (receiver of `user_logged_in`)."""
    method = SignInMethod.SSO if getattr(user, "backend", "") == OIDC_BACKEND else SignInMethod.PASSWORD
    Account.objects.update_or_create(user=user, defaults={"last_sign_in_method": method})


@transaction.atomic
def user_invite(
    *,
    email: str,
    first_name: str,
    last_name: str,
    pilots: Iterable = (),
    groups: Iterable[Group] = (),
    by: User,
    site_url: str,
) -> Invitation:
    """Create the account of a person SCP invites, attached to pilot posts and role groups, without a
    password; e-mail them (after the commit) a one-time link to set one, or to sign in by SSO."""
    rights.require(rights.may_manage_accounts(by), "Seul le service commande publique invite des personnes.")
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Un compte existe déjà avec cette adresse e-mail."})
    groups, pilots = list(groups), list(pilots)
    if pilots and not any(group.name == rights.PILOTS_GROUP for group in groups):
        groups.append(Group.objects.get(name=rights.PILOTS_GROUP))  # a post is read only by a pilot
    if any(group.name not in rights.ROLE_GROUPS for group in groups):
        raise ValidationError({"groups": "Seuls les rôles de l'application peuvent être donnés."})
    user = User(username=_unique_username(email), email=email, first_name=first_name, last_name=last_name)
    user.is_staff = any(group.name == rights.SCP_GROUP for group in groups)  # SCP works in the admin
    user.set_unusable_password()
    user.save()
    user.groups.set(groups)
    for pilot in pilots:
        pilot.users.add(user)
    invitation = Invitation.objects.create(user=user, invited_by=by)
    queue.enqueue(invitation_send_task, invitation.pk, site_url)
    return invitation


def invitation_link(*, user: User, site_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return site_url.rstrip("/") + reverse("invitation_accept", args=[uid, invitation_token.make_token(user)])


def invitation_send(*, invitation: Invitation, site_url: str) -> None:
    """The invitation's e-mail, in French, text and HTML."""
    context = {
        "invitation": invitation,
        "link": invitation_link(user=invitation.user, site_url=site_url),
        "days": settings.ACCOUNTS_INVITATION_DAYS,
        "local_login": settings.LOCAL_LOGIN_ENABLED,
        "sso": settings.OIDC_ENABLED,
        "sso_label": settings.OIDC_LOGIN_LABEL,
    }
    message = EmailMultiAlternatives(
        subject="Invitation au pilotage du SPASER",
        body=render_to_string("accounts/email/invitation.txt", context),
        to=[invitation.user.email],
    )
    message.attach_alternative(render_to_string("accounts/email/invitation.html", context), "text/html")
    message.send()


@transaction.atomic
def invitation_accept(*, user: User, token: str, password: str) -> User:
    """The invited person sets their password through the invitation's one-time link."""
    if not invitation_token.check_token(user, token) or not user.is_active:
        raise ValidationError(
            "Ce lien d'invitation n'est plus valable : demandez-en un nouveau au service commande publique."
        )
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _accept_pending(user)
    return user


def _sessions_end(user: User) -> None:
    """End every open session of `user` (in the database and its cache)."""
    engine = import_module(settings.SESSION_ENGINE)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            engine.SessionStore(session_key=session.session_key).delete()


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    """Someone left: their account can no longer sign in and their sessions end. Nothing is deleted
    (history and authorship stay theirs); the pilot posts they held read "poste vacant"."""
    rights.require(rights.may_manage_accounts(by), "Seul le service commande publique désactive des comptes.")
    if user.pk == by.pk:
        raise ValidationError("Vous ne pouvez pas désactiver votre propre compte.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    _sessions_end(user)
    data_changed()  # pages that show the posts' holders are cached by data version
    return user
