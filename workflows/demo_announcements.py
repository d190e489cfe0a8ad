"""Demo data for the announcements: under ``make run`` the bell is not empty on first sign-in.

``seed_demo`` calls ``announcements_seed`` once (the instruments are made only if they are not
there yet): the drafter finds a draft the office chief returned with his reason, the office
chief a draft waiting for his review, and each consulted ministry's reviewer the round opened
for them. Everything goes through the same services as a person's clicks; the announcements
are then sent at once, through the outbox, so the console shows their e-mails.
"""

from django.db import transaction

from documents import services as documents
from documents.models import Instrument, InstrumentType, Provision
from organisations.models import Organisation, User
from tasks.models import Reminder
from tasks.services import reminder_deliver
from workflows import services
from workflows.driving import drive
from workflows.models import Decision, SilenceRule

MARK = "Demo announcements"


def _draft(drafter: User, *, title_km: str, title_en: str) -> Instrument:
    instrument = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km=title_km,
        title_en=f"{title_en} ({MARK})",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    documents.provision_add(
        instrument=instrument,
        user=drafter,
        kind=Provision.Kind.ARTICLE,
        text_km="អនុក្រឹត្យនេះកំណត់នីតិវិធីនៃការផ្ទេរមុខងារទៅរដ្ឋបាលថ្នាក់ក្រោមជាតិ។",
        text_en="This sub-decree sets the procedure for transferring functions to sub-national "
        "administrations.",
    )
    return instrument


def announcements_seed() -> int:
    """Make the three demo instruments once, and send what they announce. Returns how many
    announcements went (0 when the demo already has them)."""
    if Instrument.objects.filter(title_en__endswith=f"({MARK})").exists():
        return 0
    people = {
        user.username: user
        for user in User.objects.filter(username__in=["drafter", "chief", "director"])
    }
    drafter = people["drafter"]
    with transaction.atomic():
        returned = _draft(
            drafter,
            title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារគ្រប់គ្រងទីផ្សារ",
            title_en="Sub-decree on the transfer of market management",
        )
        process = services.process_start(instrument=returned, user=drafter)
        drive(
            process,
            "chief_review",
            people["chief"],
            decision=Decision.RETURN,
            reason="សូមបញ្ជាក់ឱ្យច្បាស់ពីថវិកាដែលត្រូវផ្ទេរជាមួយមុខងារ។",
        )
        consulted = _draft(
            drafter,
            title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារអនាម័យបរិស្ថាន",
            title_en="Sub-decree on the transfer of environmental sanitation",
        )
        process = services.process_start(instrument=consulted, user=drafter)
        for step, username in [("chief_review", "chief"), ("director_review", "director")]:
            drive(process, step, people[username], decision=Decision.APPROVE, reason="")
        drive(
            process,
            "plan_round",
            drafter,
            organisations=list(Organisation.objects.filter(code__in=["mef", "moh", "ncdd-s"])),
            working_days=10,
            silence_rule=SilenceRule.NO_OBJECTION,
        )
        waiting = _draft(
            drafter,
            title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារគ្រប់គ្រងសំណល់រឹង",
            title_en="Sub-decree on the transfer of solid waste management",
        )
        services.process_start(instrument=waiting, user=drafter)
    # Sent now rather than by the worker, which may not be running yet; the jobs published
    # with the commit then find them sent (exactly once either way).
    results = [
        reminder_deliver(reminder_id=pk)
        for pk in Reminder.objects.filter(
            status=Reminder.Status.PENDING, event__isnull=False
        ).values_list("pk", flat=True)
    ]
    return results.count("sent")
