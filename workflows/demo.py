"""Demo data for deadlines: two consultation rounds already past their deadline.

Under ``make run`` a reminder needs days to become due; ``manage.py demo_deadlines`` puts two
sub-decrees where the worker's next sweep (every minute) has something to do:

- one round whose silence means no objection, due on the last working day: the sweep closes
  it, and the drafter's consolidation task opens;
- one round that waits for the director, overdue by more than the steps' M working days: the
  reviewers get their overdue reminder, each organisation's head (their supervisor) the
  escalation, and the director the question of what to do with the silent organisations.

Everything goes through the same services as a person's clicks; only the round's opening day
is set in the past.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from documents import services as documents
from documents.models import Instrument, InstrumentType, Provision
from organisations.models import Organisation, User
from tasks.calendar import CachedCalendar
from tasks.deadlines import step_duration
from workflows import services
from workflows.driving import drive
from workflows.models import ConsultationRound, Decision, SilenceRule

ROUND_WORKING_DAYS = 10
CONSULTED = ["mef", "moh", "ncdd-s"]


@dataclass
class OverdueRound:
    consultation_round: ConsultationRound
    silence_rule: str
    days_late: int


def _round_past_deadline(
    *, title_km: str, title_en: str, silence_rule: str, days_late: int, today: date
) -> OverdueRound:
    people = {
        user.username: user
        for user in User.objects.filter(username__in=["drafter", "chief", "director"])
    }
    drafter = people["drafter"]
    instrument = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km=title_km,
        title_en=title_en,
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    chapter = documents.provision_add(
        instrument=instrument,
        user=drafter,
        kind=Provision.Kind.CHAPTER,
        heading_km="បទប្បញ្ញត្តិទូទៅ",
        heading_en="General provisions",
    )
    for text_km, text_en in [
        (
            "មុខងារដែលមានចែងក្នុងឧបសម្ព័ន្ធ ត្រូវផ្ទេរទៅរដ្ឋបាលស្រុក ខណ្ឌ។",
            "The functions listed in the annex are transferred to district administrations.",
        ),
        (
            "ធនធានមនុស្ស និងថវិកា ត្រូវផ្ទេរតាមមុខងារ។",
            "Staff and budget are transferred with the functions.",
        ),
    ]:
        documents.provision_add(
            instrument=instrument,
            user=drafter,
            kind=Provision.Kind.ARTICLE,
            parent=chapter,
            text_km=text_km,
            text_en=text_en,
        )
    process = services.process_start(instrument=instrument, user=drafter)
    for step, username in [("chief_review", "chief"), ("director_review", "director")]:
        drive(process, step, people[username], decision=Decision.APPROVE, reason="")
    calendar = CachedCalendar()
    deadline = calendar.add(today, -days_late)
    consultation_round = drive(
        process,
        "plan_round",
        drafter,
        organisations=list(Organisation.objects.filter(code__in=CONSULTED)),
        working_days=ROUND_WORKING_DAYS,
        silence_rule=silence_rule,
        today=calendar.add(deadline, -ROUND_WORKING_DAYS),
    )
    return OverdueRound(consultation_round, silence_rule, days_late)


@transaction.atomic
def overdue_rounds_seed(*, today: date | None = None) -> list[OverdueRound]:
    """The two rounds described above; each call makes two new instruments."""
    today = today or timezone.localdate()
    escalate_after = step_duration(
        step="organisation_review",
        instrument=Instrument(instrument_type=InstrumentType.objects.get(code="sub-decree")),
    ).escalate_after_days
    return [
        _round_past_deadline(
            title_km="អនុក្រឹត្យសាកល្បងស្តីពីការផ្ទេរមុខងារថែទាំសុខភាពបឋម",
            title_en="Demo: transfer of primary health care (the round closes by silence)",
            silence_rule=SilenceRule.NO_OBJECTION,
            days_late=1,
            today=today,
        ),
        _round_past_deadline(
            title_km="អនុក្រឹត្យសាកល្បងស្តីពីការផ្ទេរមុខងារអប់រំបឋមសិក្សា",
            title_en="Demo: transfer of primary education (overdue, the director decides)",
            silence_rule=SilenceRule.DIRECTOR,
            days_late=(escalate_after or 3) + 1,
            today=today,
        ),
    ]
