"""Writes on the plan that enforce rules: every write to the plan's content, its publication, its
state, linking users to pilot posts (loading a plan from its files is actions.loading's).

Every writer of the plan's content (the admin's forms and inlines, the fiche and indicator imports)
goes through `plan_content_save` / `plan_content_delete`: they check the rules, claim the row's
version (lost updates, see `versioning`) and record the author. Rules that belong to a higher app
(a validated year locks its milestones: indicators) are plugged in with `register_write_guard`, so
this app never imports the follow-up.
"""

import datetime
from collections.abc import Callable

from django.contrib.auth.models import Group, User
from django.db import models, transaction
from django.utils import timezone

from core import rights
from core.versioning import delete_claimed, save_claimed

from . import enums, states
from .models import (
    Pilot,
    Plan,
)

# --- every write of the plan's content ----------------------------------------------------------


# What a person without the right is told (core.rights.require: a 403 on a page).
EDIT_REFUSED = "Modification du plan réservée au service commande publique."
PUBLISH_REFUSED = "Publication réservée au service commande publique."
STATE_REFUSED = "Action réservée au service commande publique."


class WriteRefused(Exception):
    """A rule refuses the write; the message is for the user (French). Nothing was written."""


# A guard looks at a row about to be saved (or deleted) and returns why it may not be, or None.
WriteGuard = Callable[[models.Model, bool], str | None]
_write_guards: list[WriteGuard] = []


def register_write_guard(guard: WriteGuard) -> WriteGuard:
    """Plug a rule of a higher app into every write of the plan's content (see apps.ready)."""
    if guard not in _write_guards:
        _write_guards.append(guard)
    return guard


def _closed_plan_guard(obj: models.Model, deleting: bool) -> str | None:
    """A closed plan's content is read-only (actions.states); publishing or withdrawing the plan from
    the public site stays possible (it changes no content). Closing is plan_state_set's."""
    if obj._meta.label == "actions.Plan":
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
        if stored is None or stored.state != enums.PlanState.CLOSED:
            return None
        kept = ("is_public", "version")
        changed = any(
            getattr(obj, f.attname) != getattr(stored, f.attname)
            for f in obj._meta.concrete_fields
            if f.attname not in kept
        )
        return states.closed_message(obj) if (deleting or changed) else None
    plan = states.plan_of(obj)
    return states.content_refusal(plan) if plan is not None else None


def write_refusal(obj: models.Model, *, deleting: bool = False) -> str | None:
    """Why `obj` may not be saved (or deleted) now, in French, or None."""
    for guard in (_closed_plan_guard, *_write_guards):
        refusal = guard(obj, deleting)
        if refusal:
            return refusal
    return None


@transaction.atomic
def plan_content_save(*, obj: models.Model, user: User | None, seen_version: int | None = None) -> None:
    """Save a row of the plan (fiche, milestone, indicator, pilot...) after its rules and version check.

    `seen_version`: the version the user's form showed (None: the instance's own). Raises
    WriteRefused or versioning.StaleWrite; nothing is written then. `user` None: a write of the
    system (loading, preparing the next plan from a command), not a person's.
    """
    rights.require(user is None or rights.may_edit_plan(user), EDIT_REFUSED)
    refusal = write_refusal(obj)
    if refusal:
        raise WriteRefused(refusal)
    save_claimed(obj, seen=seen_version, user=user)


@transaction.atomic
def plan_content_delete(*, obj: models.Model, user: User | None, seen_version: int | None = None) -> None:
    """Delete a row of the plan (and what cascades from it) if its rules allow it."""
    rights.require(user is None or rights.may_edit_plan(user), EDIT_REFUSED)
    refusal = write_refusal(obj, deleting=True)
    if refusal:
        raise WriteRefused(refusal)
    delete_claimed(obj, seen=seen_version, user=user)


@transaction.atomic
def plan_publication_set(
    *, plan: Plan, is_public: bool, user: User | None, seen_version: int | None = None
) -> Plan:
    """Publish the plan on the public site (or take it off): one write of the plan, version-checked,
    its history keeping who did it and when. What the site then shows is public/selectors.py's.
    A plan in preparation is a draft: it is published once adopted (put in force)."""
    rights.require(user is None or rights.may_publish(user), PUBLISH_REFUSED)
    if is_public and plan.is_in_preparation:
        raise WriteRefused(
            f"Le plan « {plan} » est en préparation : il sera publié une fois adopté et mis en vigueur. "
            "Rien n'a été enregistré."
        )
    plan.is_public = is_public
    plan_content_save(obj=plan, user=user, seen_version=seen_version)
    return plan


# --- the plan's state: en préparation -> en vigueur -> clos ----------------------------------------


def plan_state_refusal(*, plan: Plan, state: str, today: datetime.date | None = None) -> str | None:
    """Why `plan` may not go to `state` now (French), or None. The transitions:

    - en préparation -> en vigueur: SCP puts the new schema in force;
    - en vigueur -> clos: once the plan's last year has begun (its campaign runs in the plan closed);
    - clos -> en vigueur: a plan closed by mistake, as long as its final bilan is not published.
    """
    today = today or timezone.localdate()
    current, wanted = enums.PlanState(plan.state), enums.PlanState(state)
    if current == wanted:
        return f"Le plan « {plan} » est déjà {wanted.label.lower()}. Rien n'a été enregistré."
    if (current, wanted) == (enums.PlanState.PREPARATION, enums.PlanState.IN_FORCE):
        return None
    if (current, wanted) == (enums.PlanState.IN_FORCE, enums.PlanState.CLOSED):
        if today.year < plan.end_year:
            return (
                f"Le plan « {plan} » ne peut être clos qu'à partir du 1er janvier {plan.end_year}, "
                "début de sa dernière année. Rien n'a été enregistré."
            )
        return None
    if (current, wanted) == (enums.PlanState.CLOSED, enums.PlanState.IN_FORCE):
        if states.is_sealed(plan):
            return (
                f"Le plan « {plan} » ne peut plus être remis en vigueur : son bilan de fin de plan est "
                "publié. Rien n'a été enregistré."
            )
        return None
    return (
        f"Le plan « {plan} » ne peut pas passer de l'état « {current.label} » à l'état "
        f"« {wanted.label} ». Rien n'a été enregistré."
    )


# A hook of a higher app runs inside plan_state_set's transaction, before the state changes (the plan
# still in its old state): e.g. the follow-up closes the campaigns a closed plan no longer runs.
StateHook = Callable[[Plan, str, "User | None"], None]
_state_hooks: list[StateHook] = []


def register_state_hook(hook: StateHook) -> StateHook:
    """Plug a higher app's consequence of a plan's change of state into plan_state_set (apps.ready)."""
    if hook not in _state_hooks:
        _state_hooks.append(hook)
    return hook


@transaction.atomic
def plan_state_set(
    *,
    plan: Plan,
    state: str,
    user: User | None,
    seen_version: int | None = None,
    today: datetime.date | None = None,
) -> Plan:
    """Move the plan to `state` (actions.states says what each state allows); the only writer of
    Plan.state. SCP only; version-checked (StaleWrite), its history keeping who and when. Raises
    WriteRefused (French) for a transition the rules refuse; nothing is written then."""
    rights.require(user is None or rights.may_prepare_plan(user), STATE_REFUSED)
    refusal = plan_state_refusal(plan=plan, state=state, today=today)
    if refusal:
        raise WriteRefused(refusal)
    for hook in _state_hooks:
        hook(plan, state, user)
    plan.state = state
    # Not plan_content_save: its guard keeps a closed plan's row as it is, the state included.
    save_claimed(plan, seen=seen_version, user=user)
    return plan


# --- accounts --------------------------------------------------------------------------------------


@transaction.atomic
def user_attach_to_pilot(
    *,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None,
    pilot: Pilot | None,
    role_group: str = rights.PILOTS_GROUP,
) -> tuple[User, bool]:
    """Create (or find) a user, put them in a role group and, for a pilot, attach them to a pilot post.

    Idempotent: an existing user keeps their password and gains the group and the post.
    """
    if role_group not in rights.ROLE_GROUPS:
        raise ValueError(f"Rôle inconnu : {role_group}")
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": email, "first_name": first_name, "last_name": last_name}
    )
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.is_staff = role_group == rights.SCP_GROUP
        user.save()
    user.groups.add(Group.objects.get(name=role_group))
    if pilot is not None:
        pilot.users.add(user)
    return user, created
