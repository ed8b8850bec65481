from django.db import models


class Agency(models.Model):
    """The behavioral-health agency running the programs (one per installation today)."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    # Programs are deactivated, never deleted: notes and claims keep pointing at them.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="program_name_unique_in_agency")]

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """A staff member's place in the agency: who supervises them."""

    user = models.OneToOneField("accounts.User", on_delete=models.PROTECT, related_name="staff_profile")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    supervisor = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisee_profiles",
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return str(self.user)
