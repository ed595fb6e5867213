"""The invitation's e-mail, sent by the task queue: an SMTP server that is slow or down never holds
the admin's page; a failure is the worker's to log and retry, the invitation itself is saved."""

from celery import shared_task


@shared_task(name="accounts.invitation_send")
def invitation_send_task(invitation_id: int, site_url: str) -> bool:
    """Send the invitation `invitation_id` (False if it no longer exists: the account went meanwhile)."""
    from .models import Invitation
    from .services import invitation_send

    invitation = Invitation.objects.select_related("user").filter(pk=invitation_id).first()
    if invitation is None:
        return False
    invitation_send(invitation=invitation, site_url=site_url)
    return True
