"""SCP invites a person from the admin: the account, its posts and roles in one form, the French
e-mail (text and HTML) with a one-time link that expires, the password chosen through it."""

import datetime
import html
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import services
from accounts.models import Invitation
from accounts.tokens import InvitationTokenGenerator
from core import rights
from tests.utils import database_state

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-mot-de-passe-bien-long-54"


def invite(client, fiche, **changes):
    data = {
        "email": "Nouvelle.Pilote@example.org",
        "first_name": "Nouvelle",
        "last_name": "Pilote",
        "groups": [Group.objects.get(name=rights.PILOTS_GROUP).pk],
        "pilots": [fiche.ordered_pilots()[0].pk],
    } | changes
    return client.post(reverse("admin:auth_user_invite"), data)


def link_of(message) -> str:
    return re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)


def test_scp_invites_a_pilot_who_sets_a_password_and_lands_on_mes_fiches(
    client, scp_user, fiche11, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(scp_user)
    with django_assert_max_num_queries(12):  # session, user, rights, the roles and the posts offered
        page = client.get(reverse("admin:auth_user_invite"))
    assert "Inviter une personne" in page.content.decode()
    assert "Inviter une personne" in client.get(reverse("admin:auth_user_changelist")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, fiche11)
    assert response.status_code == 302
    person = User.objects.get(email="nouvelle.pilote@example.org")
    assert not person.has_usable_password() and not person.is_staff
    assert rights.is_pilot(person) and rights.pilots(person, fiche11)
    invitation = Invitation.objects.get(user=person)
    assert invitation.invited_by == scp_user and invitation.accepted_at is None

    [message] = mail.outbox
    assert (
        message.to == ["nouvelle.pilote@example.org"]
        and message.subject == "Invitation au pilotage du SPASER"
    )
    assert "choisir votre mot de passe" in message.body
    [(html_body, mime)] = message.alternatives
    assert mime == "text/html" and 'lang="fr"' in html_body and link_of(message) in html.unescape(html_body)

    client.logout()
    link = link_of(message).split("://", 1)[1].split("/", 1)[1]
    form = client.get(f"/{link}")
    assert form.status_code == 200 and "Bienvenue, Nouvelle" in form.content.decode()
    short = client.post(f"/{link}", {"new_password1": "court", "new_password2": "court"})
    assert "Ce mot de passe est trop court" in html.unescape(short.content.decode())
    done = client.post(
        f"/{link}", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("indicators:my_fiches")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.history.count() == 2
    # The link served once.
    client.logout()
    assert client.get(f"/{link}").status_code == 400


def test_a_pilot_post_given_brings_the_pilots_role(scp_user, fiche11):
    post = fiche11.ordered_pilots()[0]
    invitation = services.user_invite(
        email="poste@example.org", first_name="P", last_name="O", pilots=[post], by=scp_user, site_url=""
    )
    assert rights.pilots(invitation.user, fiche11)


def test_an_invitation_link_expires(client, scp_user, monkeypatch, settings):
    settings.ACCOUNTS_INVITATION_DAYS = 7
    invitation = services.user_invite(
        email="tard@example.org",
        first_name="Tard",
        last_name="Venu",
        by=scp_user,
        site_url="http://testserver",
    )
    link = services.invitation_link(user=invitation.user, site_url="")
    assert client.get(link).status_code == 200
    later = datetime.datetime.now() + datetime.timedelta(days=8)
    monkeypatch.setattr(InvitationTokenGenerator, "_now", lambda self: later)
    page = client.get(link)
    assert page.status_code == 400 and "plus valable" in html.unescape(page.content.decode())


def test_an_address_already_known_is_refused_next_to_the_field(client, scp_user, pilot11, fiche11):
    client.force_login(scp_user)
    before = database_state()
    page = invite(client, fiche11, email=pilot11.email.upper())
    assert page.status_code == 200
    assert "Un compte existe déjà avec cette adresse e-mail." in html.unescape(page.content.decode())
    assert database_state() == before and not mail.outbox


def test_only_scp_invites(pilot11, committee_user):
    for user in (pilot11, committee_user):
        with pytest.raises(PermissionDenied, match="Seul le service commande publique invite"):
            services.user_invite(email="x@example.org", first_name="X", last_name="Y", by=user, site_url="")


def test_with_sso_the_invitation_offers_the_organisation_account(
    client, scp_user, settings, django_capture_on_commit_callbacks
):
    settings.OIDC_ENABLED, settings.LOCAL_LOGIN_ENABLED = True, False
    settings.OIDC_LOGIN_LABEL = "Se connecter avec ProConnect"
    with django_capture_on_commit_callbacks(execute=True):
        services.user_invite(email="sso@example.org", first_name="S", last_name="O", by=scp_user, site_url="")
    [message] = mail.outbox
    assert (
        "Pour vous connecter avec votre compte de l'organisation (Se connecter avec ProConnect)"
        in message.body
    )
    page = client.get(link_of_relative(message)).content.decode()
    assert reverse("oidc_start") in page and 'name="new_password1"' not in page


def link_of_relative(message) -> str:
    return re.search(r"/invitation/\S+/", message.body).group(0)
