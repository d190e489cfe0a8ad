"""Demo data for the portfolio dashboard and the transfer tracker: under ``make run`` they
say something on first sign-in.

``seed_demo`` calls ``portfolio_seed`` once, which makes three instruments by the same
services as a person's clicks:

- ``signed_seed``: a sub-decree transferring three education functions to the districts and
  communes, carried through the whole process — the department's reviews, a round with the
  three ministries (one answering with a comment), consolidation, legal review, the
  director-general's signature and the registry's number. Its transfer schedule is then
  signed, and its steps' durations, the ministries' record and the month's signatures are on
  the dashboard.
- ``late_round_seed``: a sub-decree on agricultural extension in a round the Ministry of
  Health answered and the two others let pass its deadline — their steps are overdue, by
  ministry and by reviewer, and the tracker has a function in consultation.
- ``held_seed``: a prakas the office chief has held past his step's working days — overdue in
  the department, by person.

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
from tasks.calendar import CachedCalendar, add_working_days, is_working_day, working_days_between
from workflows import services
from workflows.driving import drive
from workflows.models import (
    Consultation,
    ConsultationRound,
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

# The late round's one function.
LATE_FUNCTION = (
    "ការផ្សព្វផ្សាយបច្ចេកទេសកសិកម្ម",
    "Agricultural extension services",
    ScheduleRow.Level.COMMUNE,
    60,
    180_000_000,
    "",
)

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

# The instruments still under way: the working day before the seeding (counted back from it)
# on which each step was taken. The round opened fourteen working days ago for ten: four
# days past its deadline, the two ministries that have not answered are late. The prakas
# reached the office chief eight working days ago, five past his three (tasks.deadlines).
LATE_ROUND_DAYS_AGO = {
    "draft": 18,
    "chief_review": 16,
    "director_review": 15,
    "plan_round": 14,
    "reviewer-moh": 10,
}
HELD_DAYS_AGO = 8


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
def _at(day: date):
    """The clock at nine in the morning of ``day``, running from there."""
    moment = datetime.combine(day, time(9), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=True):
        yield


def _on(first_day: date, step: str):
    """The clock on the morning of ``step``'s working day of the signed journey."""
    return _at(add_working_days(first_day, ON_DAY[step]))


def _days_ago(today: date, days: int):
    """The clock on the morning ``days`` working days before ``today``."""
    return _at(CachedCalendar().add(today, -days))


def _people() -> dict[str, User]:
    return {
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


def _into_consultation(process, people: dict[str, User], on) -> ConsultationRound:
    """The office chief's and the director's approvals, then the round with the three
    ministries, each step at the clock ``on(step)`` sets."""
    for step, username in [("chief_review", "chief"), ("director_review", "director")]:
        with on(step):
            drive(process, step, people[username], decision=Decision.APPROVE, reason="")
    with on("plan_round"):
        return drive(
            process,
            "plan_round",
            people["drafter"],
            organisations=list(Organisation.objects.filter(code__in=["mef", "moh", "ncdd-s"])),
            working_days=ROUND_WORKING_DAYS,
            # The director decides on silence: the round stays open past its deadline for
            # the late answers (silence as assent would close it at the deadline).
            silence_rule=SilenceRule.DIRECTOR,
        )


def portfolio_seed() -> bool:
    """Make the three demo instruments once. Returns whether they were made now."""
    if Instrument.objects.filter(title_en__endswith=f"({MARK})").exists():
        return False
    today = timezone.localdate()
    with transaction.atomic():
        signed_seed(today)
        late_round_seed(today)
        held_seed(today)
    return True


@transaction.atomic
def signed_seed(today: date) -> Instrument:
    """The signed sub-decree, its journey ending ``ENDS_WORKING_DAYS_AGO`` before ``today``."""
    people = _people()
    drafter = people["drafter"]
    first_day = _first_day(today)
    with _on(first_day, "draft"):
        instrument = _drafted(
            drafter,
            title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារអប់រំបឋមសិក្សាទៅរដ្ឋបាលស្រុក",
            title_en="Sub-decree on the transfer of primary education to districts",
            sector="អប់រំ",
            functions=FUNCTIONS,
            from_ministry=Organisation.objects.get(code="moeys"),
            in_force=date(today.year, 1, 1),
        )
        process = services.process_start(instrument=instrument, user=drafter)
    consultation_round = _into_consultation(process, people, lambda step: _on(first_day, step))
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
    instrument.refresh_from_db()  # as the services left it: registered
    return instrument


@transaction.atomic
def late_round_seed(today: date) -> Instrument:
    """The sub-decree in a round past its deadline: answered by the Ministry of Health only."""
    people = _people()
    drafter = people["drafter"]
    with _days_ago(today, LATE_ROUND_DAYS_AGO["draft"]):
        instrument = _drafted(
            drafter,
            title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារផ្សព្វផ្សាយបច្ចេកទេសកសិកម្មទៅរដ្ឋបាលឃុំ",
            title_en="Sub-decree on the transfer of agricultural extension to communes",
            sector="កសិកម្ម",
            functions=[LATE_FUNCTION],
            from_ministry=Organisation.objects.get(code="maff"),
            in_force=date(today.year + 1, 1, 1),
        )
        process = services.process_start(instrument=instrument, user=drafter)
    consultation_round = _into_consultation(
        process, people, lambda step: _days_ago(today, LATE_ROUND_DAYS_AGO[step])
    )
    with _days_ago(today, LATE_ROUND_DAYS_AGO["reviewer-moh"]):
        health = Consultation.objects.get(round=consultation_round, organisation__code="moh")
        drive(
            process,
            "organisation_review",
            people["reviewer-moh"],
            where={"consultation_id": health.pk},
            position=Position.NO_OBJECTION,
        )
    return instrument


@transaction.atomic
def held_seed(today: date) -> Instrument:
    """The prakas waiting for the office chief since ``HELD_DAYS_AGO`` working days."""
    drafter = _people()["drafter"]
    with _days_ago(today, HELD_DAYS_AGO):
        instrument = _drafted(
            drafter,
            instrument_type="prakas",
            title_km="ប្រកាសស្តីពីនីតិវិធីផ្ទេរមន្ត្រីរាជការទៅរដ្ឋបាលថ្នាក់ក្រោមជាតិ",
            title_en="Prakas on the procedure for transferring civil servants to sub-national "
            "administrations",
        )
        services.process_start(instrument=instrument, user=drafter)
    return instrument


def _drafted(
    drafter: User,
    *,
    title_km: str,
    title_en: str,
    instrument_type: str = "sub-decree",
    sector: str = "",
    functions: list[tuple] = (),
    from_ministry: Organisation | None = None,
    in_force: date | None = None,
) -> Instrument:
    """An instrument with its article and, for each of ``functions``, a row of its transfer
    schedule from ``from_ministry``, in force on ``in_force``; sent to ``from_ministry`` (the
    Ministry of Civil Service for a transfer of staff alone) and the Ministry of Economy and
    Finance."""
    concerned = from_ministry or Organisation.objects.get(code="mcs")
    recipients = [concerned, Organisation.objects.get(code="mef")]
    instrument = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code=instrument_type),
        title_km=title_km,
        title_en=f"{title_en} ({MARK})",
        owning_office=Organisation.objects.get(code="dfr-fr"),
        sector=sector,
    )
    instrument = documents.instrument_update(
        instrument=instrument,
        user=drafter,
        expected_lock_version=instrument.lock_version,
        # the ministries concerned (the one transferring, and finance), then the files
        recipients_km="\n".join([*(o.name_km for o in recipients), "ឯកសារ-កាលប្បវត្តិ"]),
        recipients_en="\n".join([*(o.name_en for o in recipients), "Files and records"]),
    )
    documents.provision_add(
        instrument=instrument,
        user=drafter,
        kind=Provision.Kind.ARTICLE,
        text_km="មុខងារ និងធនធានដែលមានក្នុងឧបសម្ព័ន្ធ ត្រូវផ្ទេរទៅរដ្ឋបាលថ្នាក់ក្រោមជាតិ។",
        text_en="The functions and resources in the annex are transferred to the "
        "sub-national administrations.",
    )
    for function_km, function_en, level, staff, budget, assets in functions:
        documents.schedule_row_add(
            instrument=instrument,
            user=drafter,
            function_km=function_km,
            function_en=function_en,
            from_ministry=from_ministry,
            level=level,
            staff_count=staff,
            budget_riel=budget,
            assets=assets,
            effective_date=in_force,
        )
    return instrument
