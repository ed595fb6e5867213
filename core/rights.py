"""Who may do what: the one module that views, the admin, templates, exports and services ask.

Three roles, as auth groups (created by a migration, managed by SCP in the admin so that no code
change is needed to appoint someone): the service commande publique (SCP, superusers count as SCP),
the pilots, and the comité de suivi.

| right                                                | who                                    |
|------------------------------------------------------|----------------------------------------|
| read the plan, its pages and the bilans              | every member of a role                 |
| read a plan in preparation (the next schema)         | SCP, the comité (hidden from pilots)   |
| prepare the next plan, decide its fiches, close one  | SCP                                    |
| read a fiche's years not yet validated, its history  | SCP, the comité, the fiche's pilots    |
| enter a fiche's year (values, review, milestones)    | SCP, the fiche's pilots                |
| add or remove a fiche-year's evidence ("preuves")    | SCP, the fiche's pilots                |
| read a fiche's evidence, download its files          | SCP, the comité, the fiche's pilots    |
| validate, return, reopen a year; run the campaigns   | SCP                                    |
| read a fiche-year's discussion (threads, messages)   | SCP, the comité, the fiche's pilots    |
| write in it: open, answer, resolve, reopen a thread  | SCP, the fiche's pilots                |
| edit the plan in the admin, import                   | SCP                                    |
| export to Excel, download a bilan's PDF              | SCP, the comité                        |
| publish a bilan, make it public                      | SCP                                    |
| read the contracts register and the legal indicators | SCP, the comité                        |
| import contracts (DECP), set the legal targets       | SCP                                    |
| see a background job and its result                  | who asked for it, SCP                  |
| read a register-computed figure of a fiche           | who may read the fiche's entry page    |
| publish a plan on the public site, withhold a fiche  | SCP                                    |
| invite a person, give posts and roles, deactivate    | SCP                                    |
| read the public site and its open data               | everyone, without an account           |

Rights say who, from the role groups and the pilot posts (read by app label: core imports no app);
the plan's state (actions.states) says what may still be written in it, and the
workflow (indicators) says when: a pilot enters only while the campaign is open
and the year is neither submitted nor validated; a validated year is locked for everyone until SCP
reopens it.

What the public site shows is decided by the data, not by a role: a plan SCP published
(`Plan.objects.public()`), its fiches SCP has not withheld (`Fiche.objects.public()`), and of the
follow-up only the years validated (`AnnualReview.objects.validated()`,
`IndicatorValue.objects.validated()`); see public/selectors.py.
"""

from django.apps import apps as global_apps
from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, IntegerField, Value

from core.caching import data_changed, render_once, stamped_key

SCP_GROUP = "Service commande publique"
PILOTS_GROUP = "Pilotes"
COMMITTEE_GROUP = "Comité de suivi"
ROLE_GROUPS = (SCP_GROUP, PILOTS_GROUP, COMMITTEE_GROUP)
# Apps whose models SCP edits and the comité reads in the admin (by label: no import upward).
CONTENT_APPS = (
    "actions",
    "contracts",
    "evidence",
    "indicators",
    "planning",
    "public",
    "reporting",
    "suppliers",
)

AnyUser = User | AnonymousUser


# --- roles -----------------------------------------------------------------------------------------


def _query(user: User) -> tuple[set[str], frozenset[int]]:
    FichePilot = global_apps.get_model("actions", "FichePilot")
    groups = Group.objects.filter(user=user).values_list("name", Value(0, output_field=IntegerField()))
    posts = (
        FichePilot.objects.filter(pilot__users=user)
        .order_by()
        .values_list(Value("", output_field=CharField()), "fiche_id")
    )
    rows = list(groups.union(posts, all=True))
    return {name for name, _ in rows if name}, frozenset(fiche for name, fiche in rows if not name)


def _load(user: AnyUser) -> tuple[set[str], frozenset[int]]:
    """The user's role groups and the fiches whose pilot posts they hold, once per request: from the
    cache while the data version stands (a change of groups or pilot posts draws a new one, see
    `rights_changed`), else one query."""
    cached = getattr(user, "_spaser_rights", None)
    if cached is None:
        cached = render_once(stamped_key("rights", user.pk), lambda: _query(user))
        user._spaser_rights = cached
    return cached


def rights_changed(**kwargs) -> None:
    """A membership that rights are read from changed (a role group, a pilot post's accounts, a
    fiche's posts): the cached rights of every user are dropped with the data version."""
    data_changed()


def _group_names(user: AnyUser) -> set[str]:
    return _load(user)[0] if user.is_authenticated else set()


def is_scp(user: AnyUser) -> bool:
    return user.is_authenticated and (user.is_superuser or SCP_GROUP in _group_names(user))


def is_committee(user: AnyUser) -> bool:
    return COMMITTEE_GROUP in _group_names(user)


def is_pilot(user: AnyUser) -> bool:
    return PILOTS_GROUP in _group_names(user)


def piloted_fiche_ids(user: AnyUser) -> frozenset[int]:
    """The fiches whose pilot posts `user` holds, as a member of the pilots' group."""
    return _load(user)[1] if is_pilot(user) else frozenset()


def pilots(user: AnyUser, fiche) -> bool:
    return fiche.pk in piloted_fiche_ids(user)


# --- rights ------------------------------------------------------------------------------------------


def may_read_plan(user: AnyUser) -> bool:
    """Every logged-in member of a role reads the plan, its follow-up (validated) and the bilans."""
    return is_scp(user) or is_committee(user) or is_pilot(user)


def may_read_plan_of(user: AnyUser, plan) -> bool:
    """`may_read_plan`, for one plan: a plan in preparation is shown to SCP and the comité only."""
    if plan.is_in_preparation:
        return is_scp(user) or is_committee(user)
    return may_read_plan(user)


def may_prepare_plan(user: AnyUser) -> bool:
    """Prepare the next plan from the old one's evaluation, decide its fiches, close a plan."""
    return is_scp(user)


def may_see_unvalidated(user: AnyUser, fiche) -> bool:
    """Years not yet validated, and the history of changes, are shown to the people working on them."""
    return is_scp(user) or is_committee(user) or pilots(user, fiche)


def may_enter(user: AnyUser, fiche) -> bool:
    """Who may type a fiche's yearly values, review and milestones (when the workflow allows it)."""
    return is_scp(user) or pilots(user, fiche)


def may_read_entry(user: AnyUser, fiche) -> bool:
    return may_enter(user, fiche) or is_committee(user)


def may_read_discussion(user: AnyUser, fiche) -> bool:
    """A fiche-year's threads and messages: the people of its entry page (never public)."""
    return may_read_entry(user, fiche)


def may_write_discussion(user: AnyUser, fiche) -> bool:
    """Open a thread, answer, resolve or reopen one: the fiche's pilots and SCP (not the comité, who
    reads). A validated year may still be discussed: the discussion is about its figures."""
    return may_enter(user, fiche)


def may_add_evidence(user: AnyUser, fiche) -> bool:
    """Who may add or remove a fiche-year's evidence (when the follow-up rule and the workflow allow
    it, as for the values): never shown on the public site nor in open data."""
    return may_enter(user, fiche)


def may_read_evidence(user: AnyUser, fiche) -> bool:
    """Who may see a fiche's evidence and download its files: its pilots, SCP and the comité."""
    return user.is_authenticated and (is_scp(user) or is_committee(user) or pilots(user, fiche))


def may_validate(user: AnyUser) -> bool:
    return is_scp(user)


def may_return(user: AnyUser) -> bool:
    return is_scp(user)


def may_reopen(user: AnyUser) -> bool:
    return is_scp(user)


def may_run_campaigns(user: AnyUser) -> bool:
    return is_scp(user)


def may_edit_plan(user: AnyUser) -> bool:
    return is_scp(user)


def may_import(user: AnyUser) -> bool:
    return is_scp(user)


def may_export(user: AnyUser) -> bool:
    return is_scp(user) or is_committee(user)


def may_download_bilan(user: AnyUser) -> bool:
    return is_scp(user) or is_committee(user)


def may_publish(user: AnyUser) -> bool:
    """Publish a bilan and make it public; publish a plan on the public site, withhold a fiche."""
    return is_scp(user)


def may_download_evidence_archive(user: AnyUser) -> bool:
    """The audit archive of a plan's year: every evidence file with its manifest."""
    return is_scp(user)


def may_read_register(user: AnyUser) -> bool:
    """The contracts register and the legal indicators (art. L2111-3)."""
    return is_scp(user) or is_committee(user)


def may_import_contracts(user: AnyUser) -> bool:
    return is_scp(user)


def may_manage_accounts(user: AnyUser) -> bool:
    """Invite a person, attach them to pilot posts or a role, deactivate an account."""
    return is_scp(user)


def may_see_job(user: AnyUser, job) -> bool:
    """A background job (jobs app) and its page: whoever asked for it, and SCP. Downloading its
    result also asks the right the work itself needs (the job's handler)."""
    if not user.is_authenticated:
        return False
    return is_scp(user) or job.created_by_id == user.pk or job.requested_by.filter(pk=user.pk).exists()


def require(allowed: bool, message: str = "Vous n'avez pas accès à cette page.") -> None:
    """Refuse (403, message in French) unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)


class UserRights:
    """The rights of one user that need no object, for templates: `{% if rights.may_export %}`."""

    def __init__(self, user: AnyUser):
        self.user = user

    is_scp = property(lambda self: is_scp(self.user))
    is_committee = property(lambda self: is_committee(self.user))
    is_pilot = property(lambda self: is_pilot(self.user))
    may_read_plan = property(lambda self: may_read_plan(self.user))
    may_prepare_plan = property(lambda self: may_prepare_plan(self.user))
    may_run_campaigns = property(lambda self: may_run_campaigns(self.user))
    may_edit_plan = property(lambda self: may_edit_plan(self.user))
    may_export = property(lambda self: may_export(self.user))
    may_download_bilan = property(lambda self: may_download_bilan(self.user))
    may_publish = property(lambda self: may_publish(self.user))
    may_read_register = property(lambda self: may_read_register(self.user))
    may_import_contracts = property(lambda self: may_import_contracts(self.user))


# --- the admin's model permissions ----------------------------------------------------------------


def sync_role_permissions(sender=None, apps=global_apps, using="default", **kwargs):
    """Grant the role groups their model permissions, after every migrate.

    The groups are created by a migration (actions/migrations/0002_roles.py); permissions of models
    added later only exist once Django has created them at the end of migrate, hence this hook.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    scp, _ = Group.objects.using(using).get_or_create(name=SCP_GROUP)
    committee, _ = Group.objects.using(using).get_or_create(name=COMMITTEE_GROUP)
    Group.objects.using(using).get_or_create(name=PILOTS_GROUP)

    content = Permission.objects.using(using).filter(content_type__app_label__in=CONTENT_APPS)
    # SCP manages the plan, the campaigns and the accounts of pilots and comité members.
    accounts = (
        Permission.objects.using(using)
        .filter(content_type__app_label="auth", content_type__model__in=("user", "group"))
        .exclude(content_type__model="group", codename__in=("add_group", "delete_group"))
    )
    # SCP also sees login lockouts (django-axes) and unlocks a pilot by deleting the attempt.
    lockouts = Permission.objects.using(using).filter(content_type__app_label="axes")
    # And the invitations it sent (the accounts app).
    invitations = Permission.objects.using(using).filter(content_type__app_label="accounts")
    scp.permissions.add(*content, *accounts, *lockouts, *invitations)
    committee.permissions.add(*content.filter(codename__startswith="view_"))
