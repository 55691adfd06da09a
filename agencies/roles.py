"""The province administrator: staff of Sở Nội vụ or Văn phòng UBND tỉnh who run the portal for their province.

A province administrator is a user with an agency (so a province), ``is_staff`` and membership of the permission
group "Quản trị cấp tỉnh", which this module creates on every ``migrate`` (idempotent). The admin scopes every
model to the user's province (``agencies.admin_scope``); this module says what the role may do at all and
which accounts it may manage.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

PROVINCE_ADMIN_GROUP = "Quản trị cấp tỉnh"

_ALL = ("add", "change", "delete", "view")
_FLAT = ("add", "change", "delete", "view", "import", "export")
# app label -> model -> actions. Everything a province runs in /admin/; nothing of auth, beat, axes, provinces.
PROVINCE_ADMIN_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "agencies": {
        "agency": _FLAT,
        "agencygroup": _ALL,
        "alias": _ALL,
        # Users are deactivated, never deleted (their reports keep their name).
        "user": ("add", "change", "view", "import", "export"),
    },
    "plans": {
        "document": _ALL,
        "section": _ALL,
        "reportingduty": _ALL,
        "periodicreport": ("change", "view"),
        "importjob": ("view",),
    },
    "tasks": {
        "task": _FLAT,
        "assignment": ("change", "view", "import", "export"),
        "progressupdate": ("view",),
        "evidence": ("view",),
        "review": ("view",),
        "extensionrequest": ("view",),
    },
    "indicators": {
        "indicator": _ALL,
        "target": _ALL,
        "indicatorparty": _ALL,
        "measurement": ("change", "view"),
        "indexresult": _ALL,
    },
    "cchc_portal": {
        "reminder": ("change", "view"),  # the resend action of failed or stuck reminders
        "provincereportsettings": ("add", "change", "view"),  # signer and Word template of the periodic report
    },
}


def province_admin_permissions():
    """The Permission rows of the role (one query)."""
    wanted = Q(pk__in=[])
    for app_label, models in PROVINCE_ADMIN_PERMISSIONS.items():
        for model, actions in models.items():
            wanted |= Q(content_type__app_label=app_label, codename__in=[f"{action}_{model}" for action in actions])
    return Permission.objects.filter(wanted)


def ensure_province_admin_group() -> Group:
    """Create or bring up to date the "Quản trị cấp tỉnh" group with exactly the role's permissions."""
    group, _created = Group.objects.get_or_create(name=PROVINCE_ADMIN_GROUP)
    group.permissions.set(province_admin_permissions())
    return group


def make_province_admin(user) -> None:
    """Make ``user`` (who must belong to an agency) an administrator of that agency's province.

    Sets ``is_staff`` and adds the group; never ``is_superuser``. Called by ``setup_province`` and the demo.
    """
    if user.agency_id is None:
        raise ValueError("A province administrator needs an agency (and so a province).")
    with transaction.atomic():
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(ensure_province_admin_group())


def revoke_province_admin(user) -> None:
    """Take the role back: out of the group, and no admin access unless the user is a superuser."""
    with transaction.atomic():
        user.groups.remove(*Group.objects.filter(name=PROVINCE_ADMIN_GROUP))
        if user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])


def is_province_admin(user) -> bool:
    """The user holds the role (one query, kept on the user object)."""
    if not (user.is_authenticated and user.is_staff and user.agency_id):
        return False
    cached = getattr(user, "_is_province_admin", None)
    if cached is None:
        cached = user.groups.filter(name=PROVINCE_ADMIN_GROUP).exists()
        user._is_province_admin = cached
    return cached


def manageable_users(actor, queryset=None):
    """The accounts ``actor`` may see and change in the admin.

    A superuser manages everyone. Anyone else manages only accounts of agencies they see (their province), that
    are not superusers, and whose rights do not exceed their own: every group of the account is one of the
    actor's groups and every permission given to the account directly is one the actor has. Two subqueries.
    """
    from agencies.models import Agency, User

    queryset = User.objects.all() if queryset is None else queryset
    if actor.is_superuser:
        return queryset
    if not actor.is_authenticated or actor.agency_id is None:
        return queryset.none()
    own_groups = actor.groups.values("pk")
    own_permissions = Permission.objects.filter(Q(user=actor) | Q(group__user=actor)).values("pk")
    foreign_groups = User.groups.through.objects.exclude(group_id__in=own_groups).values("user_id")
    foreign_permissions = User.user_permissions.through.objects.exclude(permission_id__in=own_permissions).values(
        "user_id"
    )
    return (
        queryset.filter(is_superuser=False, agency__in=Agency.objects.for_user(actor))
        .exclude(pk__in=foreign_groups)
        .exclude(pk__in=foreign_permissions)
    )


def can_manage(actor, user) -> bool:
    """``manageable_users`` for one account (one query); a new, unsaved account is judged by its agency."""
    if actor.is_superuser:
        return True
    if user.pk is None:
        from agencies.models import Agency

        return (
            not user.is_superuser
            and user.agency_id is not None
            and Agency.objects.for_user(actor).filter(pk=user.agency_id).exists()
        )
    return manageable_users(actor).filter(pk=user.pk).exists()


def on_post_migrate(sender, using="default", **kwargs) -> None:
    """``post_migrate`` receiver (agencies app): create the group once every app's permissions exist."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    for app_config in apps.get_app_configs():  # idempotent; apps listed after ours have not had theirs yet
        create_contenttypes(app_config, verbosity=0, using=using)
        create_permissions(app_config, verbosity=0, using=using)
    ensure_province_admin_group()
