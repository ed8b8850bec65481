from django.apps import AppConfig


class PeerSupportConfig(AppConfig):
    """The project package: role home pages, health, error pages and `seed_demo`."""

    name = "peersupport"
    verbose_name = "Peer support"
