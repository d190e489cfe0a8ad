"""A Word draft into a new instrument: what the pages and the command ask of it.

``draft_structure`` reads the file (``documents.import_docx``) and resolves the schedule's
ministries and levels, keeping the rows it cannot resolve as lines not placed;
``instrument_import`` validates a structure again (it may have travelled through a browser)
and creates the instrument, its provisions and its schedule in one transaction: all of it,
or, on any error, nothing.
"""

import re
from datetime import date
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from documents import import_docx, services
from documents.forms import ALLOWED_PARENTS
from documents.models import Instrument, InstrumentType, Provision, ScheduleRow
from documents.numbering import number_tree, provision_label
from documents.signals import draft_written
from khmer.text import model_text
from organisations.models import Organisation, User

MAX_PROVISIONS = 5000
MAX_SCHEDULE_ROWS = 2000
_KHMER_TO_LATIN = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def known_words() -> list[str]:
    """The words of the official layout that are data (each type's title, deciding word,
    issuing authority and signer): lines the reader leaves out."""
    words = []
    for kind in InstrumentType.objects.all():
        words += [
            kind.name_km,
            kind.name_en,
            kind.title_word_km,
            kind.title_word_en,
            kind.deciding_word_km,
            kind.deciding_word_en,
            kind.issuing_authority_km,
            kind.issuing_authority_en,
            kind.usual_signer_km,
            kind.usual_signer_en,
        ]
    return [word for word in words if word]


def draft_structure(data: bytes) -> dict:
    """The structure found in the DOCX ``data``, schedule rows resolved (``from_ministry`` a
    ministry's code, ``level`` a level's value, numbers and dates read): a plain dict, as
    ``instrument_import`` takes it. A ``ValidationError`` for a file that cannot be read."""
    parsed = import_docx.read_docx(data, known_words=known_words())
    structure = parsed.as_dict()
    structure["schedule"], unresolved = _resolve_schedule(parsed.schedule)
    structure["unplaced"] += unresolved
    return structure


def _ministries() -> dict[str, str]:
    """Each ministry's (or institution's) code, by its code and names, squashed."""
    found = {}
    for code, name_km, name_en in Organisation.objects.filter(
        kind__in=[Organisation.Kind.MINISTRY, Organisation.Kind.INSTITUTION], is_active=True
    ).values_list("code", "name_km", "name_en"):
        for name in (code, name_km, name_en):
            if name:
                found[import_docx._squash(name)] = code
    return found


def _levels() -> dict[str, str]:
    found = {}
    for value, label in ScheduleRow.Level.choices:
        found[value] = value
        for language in ("km", "en"):
            with translation.override(language):
                label = str(label)
            found[import_docx._squash(label)] = value
            for word in label.split("/"):  # "ស្រុក" alone, as a table may say
                found[import_docx._squash(word)] = value
    return found


def _number(text: str) -> int | None:
    digits = re.sub(r"[\s.,'’]", "", text.translate(_KHMER_TO_LATIN))
    if not digits:
        return 0
    return int(digits) if digits.isascii() and digits.isdigit() else None


def _date(text: str) -> str | None | bool:
    """An ISO date from "25/11/2026" (Khmer or Latin digits, day first); None for none;
    False for what is not a date."""
    text = text.translate(_KHMER_TO_LATIN).strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match is None:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if match is None:
            return False
        year, month, day = map(int, match.groups())
    else:
        day, month, year = map(int, match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return False


def _resolve_schedule(rows: list[dict]) -> tuple[list[dict], list[str]]:
    ministries, levels = _ministries(), _levels()
    resolved, unresolved = [], []
    for row in rows:
        ministry = ministries.get(import_docx._squash(row.get("from_ministry", "")))
        level = levels.get(import_docx._squash(row.get("level", "")))
        staff = _number(row.get("staff_count", ""))
        budget = _number(row.get("budget_riel", ""))
        effective = _date(row.get("effective_date", ""))
        if (
            not row.get("function_km")
            or None in (ministry, level, staff, budget)
            or (effective is False)
        ):
            unresolved.append(" | ".join(value for value in row.values() if value))
            continue
        resolved.append(
            {
                "function_km": row["function_km"],
                "from_ministry": ministry,
                "level": level,
                "legal_basis": row.get("legal_basis", ""),
                "staff_count": staff,
                "budget_riel": budget,
                "assets": row.get("assets", ""),
                "effective_date": effective,
            }
        )
    return resolved, unresolved


def outline(structure: dict, language: str | None = None) -> list[dict]:
    """The provisions as the preview lists them: each with its depth and computed label."""
    provisions = structure.get("provisions", [])
    counted: dict[int | None, int] = {}
    stand_ins = []
    for index, provision in enumerate(provisions):
        parent = provision.get("parent")
        counted[parent] = counted.get(parent, 0) + 1
        stand_ins.append(
            SimpleNamespace(
                pk=index, parent_id=parent, kind=provision.get("kind"), position=counted[parent]
            )
        )
    rows = []
    for node in number_tree(stand_ins):
        provision = provisions[node.provision.pk]
        rows.append(
            {
                "depth": node.depth,
                "kind": provision["kind"],
                "kind_label": str(Provision.Kind(provision["kind"]).label),
                "label": provision_label(provision["kind"], node.number, language),
                "heading": provision.get("heading_km", ""),
                "text": provision.get("text_km", ""),
            }
        )
    return rows


# --- The service ---------------------------------------------------------------------------


def _invalid() -> ValidationError:
    return ValidationError(_("The structure read from the file is not valid: read it again."))


def _clean_provisions(items) -> list[dict]:
    if not isinstance(items, list) or len(items) > MAX_PROVISIONS:
        raise _invalid()
    cleaned = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or item.get("kind") not in Provision.Kind.values:
            raise _invalid()
        parent = item.get("parent")
        if parent is not None and (not isinstance(parent, int) or not 0 <= parent < index):
            raise _invalid()
        parent_kind = cleaned[parent]["kind"] if parent is not None else None
        if parent_kind not in ALLOWED_PARENTS[item["kind"]]:
            raise _invalid()
        cleaned.append(
            {
                "kind": item["kind"],
                "parent": parent,
                "heading_km": model_text(Provision, "heading_km", item.get("heading_km", "")),
                "text_km": model_text(
                    Provision, "text_km", item.get("text_km", ""), max_length=services.TEXT_MAX
                ),
            }
        )
    return cleaned


def _clean_schedule(items) -> list[dict]:
    if not isinstance(items, list) or len(items) > MAX_SCHEDULE_ROWS:
        raise _invalid()
    codes = {item.get("from_ministry") for item in items if isinstance(item, dict)}
    ministries = {
        organisation.code: organisation
        for organisation in Organisation.objects.filter(
            code__in=[code for code in codes if isinstance(code, str)],
            kind__in=[Organisation.Kind.MINISTRY, Organisation.Kind.INSTITUTION],
        )
    }
    cleaned = []
    for item in items:
        if not isinstance(item, dict) or item.get("level") not in ScheduleRow.Level.values:
            raise _invalid()
        ministry = ministries.get(item.get("from_ministry"))
        staff, budget = item.get("staff_count"), item.get("budget_riel")
        if ministry is None or not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 10**15
            for n in (staff, budget)
        ):
            raise _invalid()
        effective = item.get("effective_date")
        try:
            effective = date.fromisoformat(effective) if effective else None
        except (TypeError, ValueError):
            raise _invalid() from None
        function = model_text(ScheduleRow, "function_km", item.get("function_km", ""))
        if not function:
            raise _invalid()
        cleaned.append(
            {
                "function_km": function,
                "from_ministry": ministry,
                "level": item["level"],
                "legal_basis": model_text(ScheduleRow, "legal_basis", item.get("legal_basis", "")),
                "staff_count": staff,
                "budget_riel": budget,
                "assets": model_text(ScheduleRow, "assets", item.get("assets", "")),
                "effective_date": effective,
            }
        )
    return cleaned


def check_structure(structure: dict, *, title_km: str = "") -> dict:
    """The structure validated, or a ``ValidationError``: the title (the one given, else the
    one found), provisions each under a parent its kind may stand under, texts within their
    limits, schedule rows with a known ministry and level. Reads the schedule's ministries
    (one query)."""
    if not isinstance(structure, dict):
        raise _invalid()
    title = model_text(Instrument, "title_km", title_km or structure.get("title") or "")
    if not title:
        raise ValidationError(
            {"title_km": _("No title was found in the file: write the title in Khmer.")}
        )
    return {
        "title": title,
        "provisions": _clean_provisions(structure.get("provisions", [])),
        "schedule": _clean_schedule(structure.get("schedule", [])),
    }


@transaction.atomic
def instrument_import(
    *,
    user: User,
    instrument_type: InstrumentType,
    owning_office: Organisation,
    structure: dict,
    title_km: str = "",
    title_en: str = "",
) -> Instrument:
    """Create an instrument from a structure read from a Word draft (``draft_structure``):
    the instrument (``services.instrument_create`` asks the policy), then its provisions, a
    level of the tree at a time, and its schedule rows, each written to the history as
    ``user``'s. A fixed number of queries, however long the text."""
    checked = check_structure(structure, title_km=title_km)
    instrument = services.instrument_create(
        user=user,
        instrument_type=instrument_type,
        title_km=checked["title"],
        title_en=title_en,
        owning_office=owning_office,
    )
    provisions = checked["provisions"]
    depth_of: list[int] = []
    for item in provisions:
        depth_of.append(0 if item["parent"] is None else depth_of[item["parent"]] + 1)
    positions: dict[int | None, int] = {}
    created: dict[int, Provision] = {}
    for depth in range(max(depth_of, default=-1) + 1):
        rows, indexes = [], []
        for index, item in enumerate(provisions):
            if depth_of[index] != depth:
                continue
            parent = item["parent"]
            positions[parent] = positions.get(parent, 0) + 1
            rows.append(
                Provision(
                    instrument=instrument,
                    parent=created[parent] if parent is not None else None,
                    kind=item["kind"],
                    position=positions[parent],
                    heading_km=item["heading_km"],
                    text_km=item["text_km"],
                )
            )
            indexes.append(index)
        saved = bulk_create_with_history(rows, Provision, default_user=user)
        if not all(row.pk for row in saved):  # backends without RETURNING
            by_uid = {
                row.uid: row for row in Provision.objects.filter(uid__in=[row.uid for row in rows])
            }
            saved = [by_uid[row.uid] for row in rows]
        created.update(zip(indexes, saved, strict=True))
    schedule = [
        ScheduleRow(instrument=instrument, position=position, **values)
        for position, values in enumerate(checked["schedule"], start=1)
    ]
    if schedule:
        bulk_create_with_history(schedule, ScheduleRow, default_user=user)
    # Written in bulk: no row sent its own post_save (the search index listens for this).
    draft_written.send(sender=Instrument, instrument=instrument)
    return instrument


# --- A consulted ministry's returned DOCX ----------------------------------------------------


def _said(provision: dict) -> str:
    """A provision's Khmer words as a reader compares them: its heading, then its text."""
    return "\n".join(
        part for part in (provision.get("heading_km"), provision.get("text_km")) if part
    )


def returned_changes(*, snapshot: dict, data: bytes) -> list[dict]:
    """What a reviewer changed in the DOCX of the version sent (``snapshot``), provision by
    provision: each a dict with the ``uid`` of the provision sent it is about (None: the
    whole text), its ``label``, the ``old`` and ``new`` words and their word ``diff``
    (``documents.diffing.word_diff``), and ``change`` — "changed", "deleted", or "added"
    (after the provision ``uid``). The provisions are aligned in document order, by their
    kind and words (``difflib``): an article added or struck out shifts no other onto a
    wrong partner. A ``ValidationError`` for a file that cannot be read."""
    from difflib import SequenceMatcher

    from documents.diffing import word_diff

    parsed = import_docx.read_docx(data, known_words=known_words())
    sent = [p for p in snapshot.get("provisions", [])]
    returned = parsed.provisions
    labels = {
        p["uid"]: provision_label(p["kind"], p.get("number", ""))
        or str(Provision.Kind(p["kind"]).label)
        for p in sent
    }

    def key(provision):
        return f"{provision['kind']}\0{_said(provision)}"

    matcher = SequenceMatcher(
        a=[key(p) for p in sent], b=[key(p) for p in returned], autojunk=False
    )
    changes = []

    def change(kind, old_item, new_item, after=None):
        uid = old_item["uid"] if old_item else (after["uid"] if after else None)
        old, new = (_said(old_item) if old_item else ""), (_said(new_item) if new_item else "")
        changes.append(
            {
                "uid": uid,
                "label": labels.get(uid, ""),
                "change": kind,
                "old": old,
                "new": new,
                "diff": word_diff(old, new),
            }
        )

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        olds, news = sent[i1:i2], returned[j1:j2]
        # Pair the provisions of one kind in order: an edit; the rest were struck or added.
        while olds and news and olds[0]["kind"] == news[0]["kind"]:
            change("changed", olds.pop(0), news.pop(0))
        for old_item in olds:
            change("deleted", old_item, None)
        for new_item in news:
            change("added", None, new_item, after=sent[i2 - 1] if i2 else None)
    return changes
