"""A forgotten password (the site's page and the admin's link) and a password change, in French, end
to end with the e-mail (Django's locmem backend)."""

import html
import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-nouveau-mot-de-passe-54"


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_forgotten_password_is_reset_through_the_emailed_link(client, pilot11):
    assert "Mot de passe oublié" in text(client.get(reverse("password_reset")))
    response = client.post(reverse("password_reset"), {"email": pilot11.email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.subject == "Pilotage SPASER : choisir un nouveau mot de passe"
    assert "Pour choisir un nouveau mot de passe" in message.body
    assert message.alternatives[0][1] == "text/html"
    link = re.search(r"http://testserver(/mot-de-passe-oublie/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Nouveau mot de passe" in text(form)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Votre nouveau mot de passe est enregistré" in text(done)
    assert (
        client.post(reverse("login"), {"username": "pilote11", "password": NEW_PASSWORD}).status_code == 302
    )


def test_the_reset_does_not_tell_whether_an_address_exists(client, pilot11):
    known = client.post(reverse("password_reset"), {"email": pilot11.email})
    unknown = client.post(reverse("password_reset"), {"email": "personne@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1  # only the real account got a message
    assert "Si un compte correspond à cette adresse" in text(client.get(reverse("password_reset_done")))


def test_the_admin_forgotten_password_link_leads_to_the_site_page(client):
    assert "/admin/password_reset/" in client.get(reverse("admin:login")).content.decode()
    response = client.get(reverse("admin_password_reset"))
    assert response.status_code == 302 and response["Location"] == reverse("password_reset")


def test_a_signed_in_person_changes_the_password(client, pilot11, django_assert_max_num_queries):
    client.force_login(pilot11)
    with django_assert_max_num_queries(8):  # session, user, rights, roles and posts
        page = text(client.get(reverse("account")))
    assert "Mon compte" in page and "Changer de mot de passe" in page
    assert 'href="/mon-compte/notifications/"' in page  # where one chooses the e-mails one gets
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "faux", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "Votre ancien mot de passe est incorrect" in text(wrong)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("password_change_done")
    pilot11.refresh_from_db()
    assert pilot11.check_password(NEW_PASSWORD)


def test_an_account_without_password_is_told_it_signs_in_by_sso(client, pilot11):
    pilot11.set_unusable_password()
    pilot11.save()
    client.force_login(pilot11)
    page = text(client.get(reverse("password_change")))
    assert "il n'a pas de mot de passe dans cette application" in page and "old_password" not in page
