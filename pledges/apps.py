from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate

# What a moderator needs, and no more: the signatures and their queue, blocked
# domains, and the log of what staff did. Staff given this group see only
# those in the admin; exporting and sending updates stay permissions of their own.
MODERATOR_PERMISSIONS = [
    ("pledges", "view_signature"),
    ("pledges", "change_signature"),
    ("pledges", "view_blockeddomain"),
    ("pledges", "add_blockeddomain"),
    ("pledges", "change_blockeddomain"),
    ("pledges", "delete_blockeddomain"),
    ("admin", "view_logentry"),
]


def keep_moderators_group(sender, using, apps=global_apps, **kwargs):
    """The Moderators group with its permissions, after every `migrate` (and
    every flush, which empties it), as Django keeps the permissions
    themselves: made by migration 0006 at first, kept here since."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name="Moderators")
    for app_label, codename in MODERATOR_PERMISSIONS:
        permission = (
            Permission.objects.using(using)
            .filter(content_type__app_label=app_label, codename=codename)
            .first()
        )
        if permission is not None:
            group.permissions.add(permission)


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = "Signatures"

    def ready(self):
        # The email service's webhook events take effect there (its receiver).
        from pledges import delivery  # noqa: F401

        # After auth's own handler has made this app's permissions (it was
        # connected first, by an app listed before this one). Once, however
        # often ready() runs (test runners may call it again).
        post_migrate.connect(
            keep_moderators_group, sender=self, dispatch_uid="pledges.keep_moderators_group"
        )
