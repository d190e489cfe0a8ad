import pytest

from documents import services as documents
from documents.models import InstrumentType, Provision
from organisations.models import Organisation
from workflows.driving import act, drive, open_task, open_tasks  # noqa: F401 - for the tests
from workflows.models import SilenceRule


@pytest.fixture
def instrument(demo):
    drafter = demo["drafter"]
    instrument = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារគ្រប់គ្រងសាលាបឋមសិក្សា",
        title_en="Sub-decree on the transfer of primary school management",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    chapter = documents.provision_add(
        instrument=instrument, user=drafter, kind=Provision.Kind.CHAPTER, heading_km="បទប្បញ្ញត្តិទូទៅ"
    )
    for text in ["អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរមុខងារ។", "មុខងារដែលផ្ទេរត្រូវបានកំណត់ក្នុងឧបសម្ព័ន្ធ។"]:
        documents.provision_add(
            instrument=instrument,
            user=drafter,
            kind=Provision.Kind.ARTICLE,
            parent=chapter,
            text_km=text,
        )
    instrument.refresh_from_db()
    return instrument


def internal_approvals(demo, process):
    """The office chief, then the director, approve the draft under review."""
    for step, username in [("chief_review", "chief"), ("director_review", "director")]:
        drive(process, step, demo[username], decision="approve", reason="")


@pytest.fixture
def jobs(monkeypatch):
    """Jobs recorded, to run on demand, instead of sent to the broker (as in tasks' tests)."""
    from tasks.tests.conftest import jobs_recorded

    return jobs_recorded(monkeypatch)


@pytest.fixture(autouse=True)
def _flow_urls_loaded():
    """Viewflow learns its URL namespaces when the URLconf is first loaded."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018


def open_round(
    demo,
    process,
    codes=("mef", "moh", "ncdd-s"),
    *,
    working_days=10,
    silence_rule=SilenceRule.NO_OBJECTION,
):
    """The drafter opens a consultation round with the organisations of ``codes``."""
    return drive(
        process,
        "plan_round",
        demo["drafter"],
        organisations=list(Organisation.objects.filter(code__in=codes)),
        working_days=working_days,
        silence_rule=silence_rule,
    )
