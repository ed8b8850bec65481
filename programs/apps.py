from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    """The agency, its programs and its peer workforce."""

    name = "programs"
