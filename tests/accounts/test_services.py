"""The account a single sign-on leads to (accounts.services.oidc_account_match): never a right."""

import pytest
from django.contrib.auth.models import User

from accounts.models import Account, Invitation
from accounts.services import SignInRefused, oidc_account_match
from core import rights
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ISSUER = "https://fournisseur.example.org"


def claims(**changes) -> dict:
    return {"sub": "agent-1", "email": "agent@example.org", "email_verified": True} | changes


def test_a_new_person_gets_an_account_with_no_right_and_the_provider_names():
    user = oidc_account_match(claims=claims(given_name="Jeanne", usual_name="Dupont"), issuer=ISSUER)
    assert (user.first_name, user.last_name, user.username) == ("Jeanne", "Dupont", "agent@example.org")
    assert not (user.is_staff or user.is_superuser or user.groups.exists() or user.pilot_posts.exists())
    assert not rights.may_read_plan(user)


def test_the_provider_subject_finds_the_account_even_once_the_email_changed():
    user = oidc_account_match(claims=claims(), issuer=ISSUER)
    again = oidc_account_match(claims=claims(email="nouvelle.adresse@example.org"), issuer=ISSUER)
    assert again == user and not User.objects.filter(email="nouvelle.adresse@example.org").exists()


def test_an_invited_person_signing_in_accepts_the_invitation(scp_user):
    person = UserFactory(email="agent@example.org")
    invitation = Invitation.objects.create(user=person, invited_by=scp_user)
    assert oidc_account_match(claims=claims(), issuer=ISSUER) == person
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert Account.objects.get(user=person).sso_subject == "agent-1"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"email_verified": False}, "pas vérifiée"),
        ({"email_verified": None}, "pas vérifiée"),
        ({"email": ""}, "n'a pas transmis votre adresse"),
    ],
)
def test_a_sign_in_without_a_verified_email_is_refused(changes, message):
    with pytest.raises(SignInRefused, match=message):
        oidc_account_match(claims=claims(**changes), issuer=ISSUER)
    assert not User.objects.filter(email="agent@example.org").exists()


def test_a_provider_that_verifies_every_email_may_be_trusted(settings):
    settings.OIDC_EMAILS_VERIFIED = True
    assert oidc_account_match(claims=claims(email_verified=None), issuer=ISSUER).email == "agent@example.org"


def test_two_accounts_with_the_address_are_refused():
    UserFactory(email="agent@example.org")
    UserFactory(email="Agent@example.org")
    with pytest.raises(SignInRefused, match="Plusieurs comptes portent cette adresse"):
        oidc_account_match(claims=claims(), issuer=ISSUER)


def test_a_deactivated_account_linked_to_the_subject_is_refused():
    user = oidc_account_match(claims=claims(), issuer=ISSUER)
    user.is_active = False
    user.save()
    with pytest.raises(SignInRefused, match="Ce compte a été désactivé"):
        oidc_account_match(claims=claims(), issuer=ISSUER)
