"""Demo data for the portfolio dashboard and the transfer tracker: under ``make run`` they
say something on first sign-in.

``seed_demo`` calls ``portfolio_seed`` once: a sub-decree transferring three education
functions to the districts and communes, carried through the whole process — the
department's reviews, a round with the three ministries (one answering with a comment),
consolidation, legal review, the director-general's signature and the registry's number —
by the same services as a person's clicks. Its transfer schedule is then signed, and its
steps' durations, the ministries' record and the month's signatures are on the dashboard.

The journey is carried out over the six weeks a real one takes, ending a week ago, each step
on a working morning of its own (``ON_DAY``; ``time_machine`` moves the clock, for viewflow's
records as for ours): the dashboard's cycle times are days, not the seconds the seeding
takes, and one ministry answers after the round's deadline, so that its record shows a late
answer.
"""

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import time_machine
from django.db import transaction
from django.utils import timezone

from documents import services as documents
from documents.models import Instrument, InstrumentType, Provision, ScheduleRow
from organisations.models import Organisation, User
from tasks.calendar import add_working_days, is_working_day, working_days_between
from workflows import services
from workflows.driving import drive
from workflows.models import (
    Consultation,
    Decision,
    Disposition,
    NextStep,
    Position,
    SignOffDecision,
    SilenceRule,
)

MARK = "Demo portfolio"

FUNCTIONS = [
    (
        "ការគ្រប់គ្រងសាលាបឋមសិក្សា",
        "Management of primary schools",
        ScheduleRow.Level.DISTRICT,
        120,
        850_000_000,
        "អគារសិក្សា ១២ ខ្នង",
    ),
    (
        "ការថែទាំអគារសិក្សា",
        "Maintenance of school buildings",
        ScheduleRow.Level.DISTRICT,
        15,
        240_000_000,
        "",
    ),
    (
        "ការគ្រប់គ្រងមត្តេយ្យសិក្សាសហគមន៍",
        "Management of community pre-schools",
        ScheduleRow.Level.COMMUNE,
        40,
        120_000_000,
        "",
    ),
]


# The working day, counted from the journey's first, on which each step is taken: the
# reviews a few days apart, a round of ten working days that the NCDD secretariat answers two
# days late, the signature five weeks in; the journey ends ENDS_WORKING_DAYS_AGO before the
# seeding.
ON_DAY = {
    "draft": 0,
    "chief_review": 2,
    "director_review": 4,
    "plan_round": 5,
    "reviewer-moh": 7,
    "reviewer-mef": 12,
    "reviewer-ncdd": 17,
    "consolidate": 19,
    "legal_review": 22,
    "sign_off": 25,
    "register": 26,
}
ROUND_WORKING_DAYS = 10
ENDS_WORKING_DAYS_AGO = 5


def _first_day(today: date) -> date:
    """The working day the journey starts on, for it to end ``ENDS_WORKING_DAYS_AGO``."""
    day = today - timedelta(days=1)
    while not (
        is_working_day(day)
        and working_days_between(day, today) >= ON_DAY["register"] + ENDS_WORKING_DAYS_AGO
    ):
        day -= timedelta(days=1)
    return day


@contextmanager
def _on(first_day: date, step: str):
    """The clock at nine in the morning of ``step``'s working day, running from there."""
    day = add_working_days(first_day, ON_DAY[step])
    moment = datetime.combine(day, time(9), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=True):
        yield


def portfolio_seed() -> bool:
    """Make the signed demo instrument once. Returns whether it was made now."""
    if Instrument.objects.filter(title_en__endswith=f"({MARK})").exists():
        return False
    people = {
        user.username: user
        for user in User.objects.filter(
            username__in=[
                "drafter",
                "chief",
                "director",
                "legal",
                "dg",
                "registry",
                "reviewer-mef",
                "reviewer-moh",
                "reviewer-ncdd",
            ]
        )
    }
    drafter = people["drafter"]
    education = Organisation.objects.get(code="moeys")
    today = timezone.localdate()
    first_day = _first_day(today)
    with transaction.atomic():
        with _on(first_day, "draft"):
            instrument = _drafted(drafter, education, in_force=date(today.year, 1, 1))
            process = services.process_start(instrument=instrument, user=drafter)
        for step, username in [("chief_review", "chief"), ("director_review", "director")]:
            with _on(first_day, step):
                drive(process, step, people[username], decision=Decision.APPROVE, reason="")
        with _on(first_day, "plan_round"):
            consultation_round = drive(
                process,
                "plan_round",
                drafter,
                organisations=list(Organisation.objects.filter(code__in=["mef", "moh", "ncdd-s"])),
                working_days=ROUND_WORKING_DAYS,
                # The director decides on silence: the round stays open past its deadline
                # for the NCDD secretariat's late answer (silence as assent would close it
                # at the deadline).
                silence_rule=SilenceRule.DIRECTOR,
            )
        article = consultation_round.version.snapshot["provisions"][0]
        for code, username in [
            ("moh", "reviewer-moh"),
            ("mef", "reviewer-mef"),
            ("ncdd-s", "reviewer-ncdd"),
        ]:
            with _on(first_day, username):
                consultation = Consultation.objects.get(
                    round=consultation_round, organisation__code=code
                )
                position = Position.NO_OBJECTION
                if code == "mef":
                    services.comment_add(
                        consultation=consultation,
                        user=people[username],
                        text="សូមបញ្ជាក់ប្រភពថវិកាសម្រាប់ឆ្នាំទីមួយ។",
                        provision_uid=article["uid"],
                    )
                    position = Position.COMMENTS
                drive(
                    process,
                    "organisation_review",
                    people[username],
                    where={"consultation_id": consultation.pk},
                    position=position,
                )
        with _on(first_day, "consolidate"):
            for comment in services.unanswered_comments(process=process):
                services.comment_respond(
                    comment=comment,
                    user=drafter,
                    disposition=Disposition.ACCEPTED,
                    response="បានបញ្ជាក់ក្នុងឧបសម្ព័ន្ធ។",
                )
            drive(process, "consolidate", drafter, next_step=NextStep.LEGAL)
        with _on(first_day, "legal_review"):
            drive(process, "legal_review", people["legal"], decision=Decision.APPROVE, reason="")
        with _on(first_day, "sign_off"):
            drive(process, "sign_off", people["dg"], decision=SignOffDecision.APPROVE, reason="")
        with _on(first_day, "register"):
            registered_on = timezone.localdate()
            drive(
                process,
                "register",
                people["registry"],
                reference_number=services.next_reference_number(
                    instrument_type=instrument.instrument_type, year=registered_on.year
                ),
                registered_on=registered_on,
            )
    return True


def _drafted(drafter: User, education: Organisation, *, in_force: date) -> Instrument:
    """The sub-decree with its article and its transfer schedule, in force on ``in_force``."""
    instrument = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារអប់រំបឋមសិក្សាទៅរដ្ឋបាលស្រុក",
        title_en=f"Sub-decree on the transfer of primary education to districts ({MARK})",
        owning_office=Organisation.objects.get(code="dfr-fr"),
        sector="អប់រំ",
    )
    instrument = documents.instrument_update(
        instrument=instrument,
        user=drafter,
        expected_lock_version=instrument.lock_version,
        recipients_km="ក្រសួងអប់រំ យុវជន និងកីឡា\nក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ\nឯកសារ-កាលប្បវត្តិ",
        recipients_en="Ministry of Education, Youth and Sport\nMinistry of Economy and Finance"
        "\nFiles and records",
    )
    documents.provision_add(
        instrument=instrument,
        user=drafter,
        kind=Provision.Kind.ARTICLE,
        text_km="មុខងារ និងធនធានដែលមានក្នុងឧបសម្ព័ន្ធ ត្រូវផ្ទេរទៅរដ្ឋបាលថ្នាក់ក្រោមជាតិ។",
        text_en="The functions and resources in the annex are transferred to the "
        "sub-national administrations.",
    )
    for function_km, function_en, level, staff, budget, assets in FUNCTIONS:
        documents.schedule_row_add(
            instrument=instrument,
            user=drafter,
            function_km=function_km,
            function_en=function_en,
            from_ministry=education,
            level=level,
            staff_count=staff,
            budget_riel=budget,
            assets=assets,
            effective_date=in_force,
        )
    return instrument
