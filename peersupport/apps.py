from django.apps import AppConfig


class PeerSupportConfig(AppConfig):
    """The project package: role home pages, health, error pages and `seed_demo`."""

    name = "peersupport"
    verbose_name = "Peer support"

    def ready(self):
        from participants import extensions

        from . import audit_log

        extensions.add_page_actions(audit_log.page_actions)
