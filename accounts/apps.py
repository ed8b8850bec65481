from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff users, roles, invitations and the sign-in rules around allauth."""

    name = "accounts"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the sign-in receiver)
