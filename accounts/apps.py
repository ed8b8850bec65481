from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff users, roles, invitations and the sign-in rules around allauth."""

    name = "accounts"
