"""Demo data for documents: the instrument types of the product brief."""

from django.db import transaction

from documents.models import InstrumentType

INSTRUMENT_TYPES = [
    # code, Khmer, English, usual signer (km, en), reference pattern
    ("law", "ច្បាប់", "Law", "ព្រះមហាក្សត្រ", "The King", "នស/រកម/{number}"),
    ("royal-decree", "ព្រះរាជក្រឹត្យ", "Royal decree", "ព្រះមហាក្សត្រ", "The King", "នស/រកត/{number}"),
    (
        "sub-decree",
        "អនុក្រឹត្យ",
        "Sub-decree",
        "នាយករដ្ឋមន្ត្រី",
        "The Prime Minister",
        "លេខ {number} អនក.បក",
    ),
    (
        "prakas",
        "ប្រកាស",
        "Prakas",
        "រដ្ឋមន្ត្រីក្រសួងមហាផ្ទៃ",
        "The Minister of Interior",
        "លេខ {number} ប្រ.ក",
    ),
    (
        "inter-ministerial-prakas",
        "ប្រកាសអន្តរក្រសួង",
        "Inter-ministerial prakas",
        "រដ្ឋមន្ត្រីពាក់ព័ន្ធ",
        "The ministers concerned",
        "លេខ {number} ប្រ.ក.អ",
    ),
    (
        "decision",
        "សេចក្តីសម្រេច",
        "Decision",
        "រដ្ឋមន្ត្រីក្រសួងមហាផ្ទៃ",
        "The Minister of Interior",
        "លេខ {number} សសរ",
    ),
    (
        "circular",
        "សារាចរ",
        "Circular",
        "រដ្ឋមន្ត្រីក្រសួងមហាផ្ទៃ",
        "The Minister of Interior",
        "លេខ {number} សរ",
    ),
    (
        "guideline",
        "សេចក្តីណែនាំ",
        "Instruction / guideline",
        "អគ្គនាយក",
        "The Director-General",
        "លេខ {number} ណនាំ",
    ),
    ("policy", "គោលនយោបាយ", "Policy", "រាជរដ្ឋាភិបាល", "The Royal Government", "{number}"),
]


# What each type prints (``documents.export_docx``): deciding word (km, en), issuing
# authority (km, en), where the dates stand. A type not named keeps the fallbacks.
LAYOUTS = {
    "law": ("ប្រកាសឱ្យប្រើ", "Hereby promulgates", "", "", "end"),
    "royal-decree": ("សម្រេច", "Decides", "", "", "end"),
    "sub-decree": ("សម្រេច", "Decides", "រាជរដ្ឋាភិបាល", "Royal Government", "end"),
    "prakas": ("សម្រេច", "Decides", "ក្រសួងមហាផ្ទៃ", "Ministry of Interior", "end"),
    "inter-ministerial-prakas": ("ប្រកាស", "Hereby issues", "", "", "end"),
    "decision": ("សម្រេច", "Decides", "ក្រសួងមហាផ្ទៃ", "Ministry of Interior", "end"),
    "circular": ("", "", "ក្រសួងមហាផ្ទៃ", "Ministry of Interior", "top"),
    "guideline": ("", "", "ក្រសួងមហាផ្ទៃ", "Ministry of Interior", "top"),
    "policy": ("", "", "រាជរដ្ឋាភិបាល", "Royal Government", "end"),
}


@transaction.atomic
def instrument_types_seed() -> None:
    for order, (code, km, en, signer_km, signer_en, pattern) in enumerate(INSTRUMENT_TYPES):
        InstrumentType.objects.update_or_create(
            code=code,
            defaults={
                "name_km": km,
                "name_en": en,
                "usual_signer_km": signer_km,
                "usual_signer_en": signer_en,
                "reference_pattern": pattern,
                "order": order,
                "title_word_km": km,
                "title_word_en": en.split(" / ")[0],
                **_layout(code),
            },
        )


def _layout(code: str) -> dict:
    deciding_km, deciding_en, authority_km, authority_en, dates = LAYOUTS.get(
        code, ("", "", "", "", "end")
    )
    return {
        "deciding_word_km": deciding_km,
        "deciding_word_en": deciding_en,
        "issuing_authority_km": authority_km,
        "issuing_authority_en": authority_en,
        "date_position": dates,
    }
