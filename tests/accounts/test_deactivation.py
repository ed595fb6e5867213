"""SCP deactivates someone who left: no sign-in any more, their sessions ended, nothing deleted, their
pilot posts read "poste vacant"."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.enums import SignInMethod
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_admin_action_deactivates_ends_the_sessions_and_leaves_the_post_vacant(
    client, scp_user, pilot11, fiche11
):
    post = fiche11.ordered_pilots()[0]
    pilot_client = Client()
    assert (
        pilot_client.post(reverse("login"), {"username": "pilote11", "password": PASSWORD}).status_code == 302
    )
    assert pilot_client.get(reverse("indicators:my_fiches")).status_code == 200
    fiche_url = reverse("indicators:fiche_detail", args=[fiche11.plan.slug, 11])
    client.force_login(scp_user)
    assert f"{post.full_label} <em>(poste vacant)</em>" not in client.get(fiche_url).content.decode()

    changelist = reverse("admin:auth_user_changelist")
    page = client.get(changelist).content.decode()
    assert "Dernière connexion" in page and "connexion par" in page.lower()
    assert SignInMethod.PASSWORD.label in page  # pilote11 signed in with a password
    response = client.post(changelist, {"action": "deactivate", "_selected_action": [pilot11.pk]})
    assert response.status_code == 302

    pilot11.refresh_from_db()
    assert not pilot11.is_active and User.objects.filter(pk=pilot11.pk).exists()
    assert pilot11.pilot_posts.filter(pk=post.pk).exists()  # the post's history stays as it was
    # Their session is over, and they cannot sign in again.
    assert pilot_client.get(reverse("indicators:my_fiches")).status_code == 302
    assert (
        pilot_client.post(reverse("login"), {"username": "pilote11", "password": PASSWORD}).status_code == 200
    )
    # The post reads vacant on the fiche page and in the pilots' admin.
    assert f"{post.full_label} <em>(poste vacant)</em>" in client.get(fiche_url).content.decode()
    pilots_admin = client.get(reverse("admin:actions_pilot_changelist"), {"q": post.role}).content.decode()
    assert "poste vacant" in pilots_admin
    assert "?is_active__exact=0" in client.get(changelist).content.decode()  # the filter by active


def test_scp_cannot_deactivate_itself_and_others_cannot_deactivate(scp_user, pilot11, committee_user):
    with pytest.raises(ValidationError, match="votre propre compte"):
        services.user_deactivate(user=scp_user, by=scp_user)
    with pytest.raises(PermissionDenied, match="Seul le service commande publique désactive"):
        services.user_deactivate(user=committee_user, by=pilot11)
    assert committee_user.is_active


def test_an_account_is_never_deleted_from_the_admin(client, scp_user, pilot11):
    client.force_login(scp_user)
    assert client.get(reverse("admin:auth_user_delete", args=[pilot11.pk])).status_code == 403
    page = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "delete_selected" not in page and "Désactiver les comptes sélectionnés" in page
