from django.db import models


class Role(models.TextChoices):
    """Each role is a Django group of the same name, created by a migration.

    The value is the group's name, so a role check is one lookup on the user's groups.
    """

    PEER_SPECIALIST = "Peer specialist", "Peer specialist"
    SUPERVISOR = "Supervisor", "Supervisor"
    BILLING = "Billing", "Billing"
    PROGRAM_ADMIN = "Program admin", "Program admin"


# When someone holds several roles, this decides which home page they land on.
HOME_PRIORITY = [Role.PROGRAM_ADMIN, Role.SUPERVISOR, Role.BILLING, Role.PEER_SPECIALIST]
