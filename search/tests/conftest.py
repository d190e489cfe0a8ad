"""A small corpus of real Khmer text: lines of the department's mandate
(``/work/shared/domain/department-mandate.km.txt``), each a provision of one sub-decree."""

import pytest

from documents import services as documents
from documents.models import InstrumentType, Provision
from organisations.models import Organisation
from workflows import services as workflows
from workflows.models import Consultation
from workflows.tests.conftest import _flow_urls_loaded, internal_approvals, open_round  # noqa: F401

ZWSP = "\u200b"

# name -> (text_km, text_en)
CORPUS = {
    # ត្រួតពិនិត្យ (holds ពិនិត្យ inside it); ផ្ដល់ with a subscript ដ.
    "monitor": (
        "តាមដាន និងត្រួតពិនិត្យលើការផ្ដល់សេវារដ្ឋបាលនៅរដ្ឋបាលថ្នាក់ក្រោមជាតិ",
        "",
    ),
    # ពិនិត្យ as a word; មន្រ្តី with ្រ typed first; ផ្តល់ with a subscript ត.
    "incentives": (
        "ពិនិត្យ និងផ្តល់យោបល់លើការបែងចែកប្រាក់រង្វាន់លើកទឹកចិត្តជូនមន្រ្តីផ្តល់សេវានៅ"
        "រដ្ឋបាលថ្នាក់ក្រោមជាតិឲ្យមានតម្លាភាព និងគណនេយ្យភាព",
        "",
    ),
    # មន្ត្រី as the dictionary spells it.
    "training": (
        "រៀបចំវគ្គបណ្ដុះបណ្ដាលពង្រឹងសមត្ថភាពដល់មន្ត្រី បុគ្គលិកនៃការិយាល័យច្រកចេញចូលតែមួយ",
        "",
    ),
    # Zero-width spaces between words, and one inside ធនធាន.
    "transfer": (
        ZWSP.join(["សម្របសម្រួល", " និង", "គាំទ្រ", "ដល់", "ក្រសួង"])
        + " ស្ថាប័នក្នុងកិច្ចដំណើរការផ្ទេរមុខងារ និងធន"
        + ZWSP
        + "ធានដល់រដ្ឋបាលថ្នាក់ក្រោមជាតិ",
        "",
    ),
    # English, for case and stemming.
    "english": (
        "",
        "Monitoring and reviewing the delivery of administrative services to sub-national "
        "administrations",
    ),
}


@pytest.fixture
def corpus(demo):
    """The sub-decree, its provisions by name (all articles of one chapter)."""
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
    provisions = {}
    for name, (text_km, text_en) in CORPUS.items():
        provisions[name] = documents.provision_add(
            instrument=instrument,
            user=drafter,
            kind=Provision.Kind.ARTICLE,
            parent=chapter,
            text_km=text_km,
            text_en=text_en,
        )
    instrument.refresh_from_db()
    return instrument, provisions


@pytest.fixture
def sent(demo, corpus):
    """The corpus sent for consultation to MEF (not to MOH), and a comment of MEF's."""
    instrument, provisions = corpus
    process = workflows.process_start(instrument=instrument, user=demo["drafter"])
    internal_approvals(demo, process)
    consultation_round = open_round(demo, process, ("mef",))
    consultation = Consultation.objects.get(round=consultation_round)
    comment = workflows.comment_add(
        consultation=consultation,
        user=demo["reviewer-mef"],
        text="សូមពិនិត្យឡើងវិញលើចំនួនមន្ត្រីដែលត្រូវផ្ទេរ",
        provision_uid=str(provisions["training"].uid),
    )
    return instrument, provisions, consultation_round.version, comment
