"""The three roles of the application, as auth groups created by a migration.

Roles are groups (not flags on users) so that SCP staff manage them in the admin. Superusers count
as SCP staff.
"""

from django.contrib.auth.models import AnonymousUser, User

SCP_GROUP = "Service commande publique"
PILOTS_GROUP = "Pilotes"
COMMITTEE_GROUP = "Comité de suivi"

ROLE_GROUPS = (SCP_GROUP, PILOTS_GROUP, COMMITTEE_GROUP)


def _group_names(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_spaser_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._spaser_groups = cached
    return cached


def is_scp(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or SCP_GROUP in _group_names(user))


def is_committee(user: User | AnonymousUser) -> bool:
    return COMMITTEE_GROUP in _group_names(user)


def is_pilot(user: User | AnonymousUser) -> bool:
    return PILOTS_GROUP in _group_names(user)


def can_read_plan(user: User | AnonymousUser) -> bool:
    """Every logged-in member of a role reads the plan and its follow-up."""
    return is_scp(user) or is_committee(user) or is_pilot(user)
