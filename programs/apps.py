from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    """The agency, its programs and its peer workforce."""

    name = "programs"

    def ready(self):
        from accounts.extensions import register_accept_hook

        from .services import profile_activate_on_accept

        register_accept_hook(profile_activate_on_accept)
