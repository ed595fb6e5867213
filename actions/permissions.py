"""Model permissions of the role groups, kept in step with the models after every migrate.

The groups themselves are created by a migration (actions/migrations/0002_roles.py). Their
permissions are granted here, after migrate, because permissions of models added later
(a new app, a new model) only exist once Django has created them at the end of migrate.
"""

from django.apps import apps as global_apps

from . import roles

CONTENT_APPS = ("actions", "indicators", "reporting")


def sync_role_permissions(sender=None, apps=global_apps, using="default", **kwargs):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    scp, _ = Group.objects.using(using).get_or_create(name=roles.SCP_GROUP)
    committee, _ = Group.objects.using(using).get_or_create(name=roles.COMMITTEE_GROUP)
    Group.objects.using(using).get_or_create(name=roles.PILOTS_GROUP)

    content = Permission.objects.using(using).filter(content_type__app_label__in=CONTENT_APPS)
    # SCP manages the plan, the campaigns and the accounts of pilots and comité members.
    accounts = (
        Permission.objects.using(using)
        .filter(content_type__app_label="auth", content_type__model__in=("user", "group"))
        .exclude(content_type__model="group", codename__in=("add_group", "delete_group"))
    )
    # SCP also sees login lockouts (django-axes) and unlocks a pilot by deleting the attempt.
    lockouts = Permission.objects.using(using).filter(content_type__app_label="axes")
    scp.permissions.add(*content, *accounts, *lockouts)
    committee.permissions.add(*content.filter(codename__startswith="view_"))
