from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from workflows.demo import overdue_rounds_seed


class Command(BaseCommand):
    help = _(
        "Put two demo sub-decrees in consultation rounds already past their deadline, for the "
        "worker's next sweep: one round closes by silence, the other sends overdue reminders "
        "and escalations."
    )

    def handle(self, *args, **options):
        for item in overdue_rounds_seed():
            consultation_round = item.consultation_round
            self.stdout.write(
                _("%(instrument)s: round %(number)s, deadline %(deadline)s (%(rule)s)")
                % {
                    "instrument": consultation_round.instrument,
                    "number": consultation_round.number,
                    "deadline": consultation_round.deadline.isoformat(),
                    "rule": consultation_round.get_silence_rule_display(),
                }
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Within a minute the sweep closes the first round, e-mails the overdue "
                    "reminders (reviewer-mef, reviewer-moh, reviewer-ncdd), the escalations "
                    "(head-mef, head-moh, head-ncdd) and the director's question; each once."
                )
            )
        )
