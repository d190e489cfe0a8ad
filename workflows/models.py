from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    RETURN = "return", _("Return to the drafter")


class ApprovalProcess(Process):
    """One run of the approval process for one instrument."""

    instrument = models.ForeignKey(
        "documents.Instrument",
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        related_name="processes",
    )
    last_decision = models.CharField(
        _("last decision"), max_length=16, choices=Decision.choices, blank=True
    )
    last_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("approval process")
        verbose_name_plural = _("approval processes")
        permissions = [
            ("review_as_office_chief", _("Can review drafts as office chief")),
            ("review_as_director", _("Can review drafts as department director")),
        ]

    def __str__(self):
        return str(self.instrument)

    @property
    def approved(self) -> bool:
        return self.last_decision == Decision.APPROVE
