from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = "Signatures"

    def ready(self):
        from pledges import checks  # noqa: F401 - registers the system checks
