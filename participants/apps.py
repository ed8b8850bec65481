from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    """Participants, enrollments, coverage, consents, caseload assignments and recovery plans."""

    name = "participants"
