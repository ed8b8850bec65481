from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    """Participants, enrollments, consents, caseloads, recovery plans and session notes."""

    name = "participants"
