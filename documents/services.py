"""Writes to instruments: their text, transfer schedule and versions.

Every function checks the user's right on the instrument itself (``documents.permissions``),
runs in one transaction, and records who did it in the history (django-simple-history).
Edits of the same provision by two people are caught by an edit counter (``lock_version``):
the second save is refused with both texts kept (``EditConflict``), never silently applied.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from documents import permissions
from documents.errors import EditConflict, NotEditable
from documents.models import Instrument, InstrumentType, Provision, ScheduleRow, Version
from documents.selectors import instrument_snapshot
from documents.snapshots import snapshot_sha256
from khmer.text import model_text
from organisations.models import Organisation, User

TEXT_FIELDS = ("heading_km", "heading_en", "text_km", "text_en")
INSTRUMENT_FIELDS = (
    "instrument_type",
    "title_km",
    "title_en",
    "owning_office",
    "sector",
    "co_drafters",
    "recipients_km",
    "recipients_en",
)
SCHEDULE_TEXT_FIELDS = ("function_km", "function_en", "legal_basis", "assets")
SCHEDULE_FIELDS = (
    "function_km",
    "function_en",
    "from_ministry",
    "level",
    "legal_basis",
    "staff_count",
    "budget_riel",
    "assets",
    "effective_date",
)


# A provision's text has no limit of its own in the database; the editor's is this.
TEXT_MAX = 20000


def _texts(model, values: dict, names: Iterable[str]) -> dict:
    """The texts among ``values`` as typed (``khmer.text``), each within its field's limit."""
    return {name: model_text(model, name, values[name], max_length=TEXT_MAX) for name in names}


def _instance(value, model, field: str, *, optional: bool = False):
    """Refuse, with a message, what is not a saved ``model`` (a caller's wrong argument)."""
    if value is None and optional:
        return None
    if not isinstance(value, model) or value.pk is None:
        raise ValidationError({field: _("Choose one of the proposed values.")})
    return value


def _check_can_edit(user: User, instrument: Instrument) -> None:
    if permissions.instrument_policy.user_may(user, "edit", instrument):
        return
    if permissions.instrument_policy.user_may(user, "draft", instrument) and (
        instrument.status not in permissions.EDITABLE_STATUSES
    ):
        raise NotEditable(str(NotEditable.message))
    raise PermissionDenied(_("Only the drafters of this instrument can change it."))


def _lock_instrument(instrument: Instrument) -> Instrument:
    """Row-lock the instrument: serialises structural changes (positions, version numbers)."""
    return Instrument.objects.select_for_update().get(pk=instrument.pk)


def _touch(instrument: Instrument) -> None:
    Instrument.objects.filter(pk=instrument.pk).update(updated_at=timezone.now())


def _save(obj, user: User, **kwargs) -> None:
    obj._history_user = user
    obj.full_clean(exclude=["instrument", "parent", "cites", "from_ministry"])
    obj.save(**kwargs)


def _delete(objs: Iterable, user: User) -> None:
    """Delete objects with everything under them, each deletion recorded as ``user``'s.

    ``Model.delete()`` cascades to children it loads itself, which would go into the
    history with no user; collecting first lets every collected row carry the user.
    """
    objs = list(objs)
    if not objs:
        return
    collector = Collector(using=router.db_for_write(type(objs[0])), origin=objs[0])
    collector.collect(objs)
    for instances in collector.data.values():
        for instance in instances:
            instance._history_user = user
    collector.delete()


# --- Instruments ------------------------------------------------------------------------


@transaction.atomic
def instrument_create(
    *,
    user: User,
    instrument_type: InstrumentType,
    title_km: str,
    title_en: str = "",
    owning_office: Organisation,
    sector: str = "",
    co_drafters: Iterable[User] = (),
) -> Instrument:
    if not permissions.instrument_policy.user_may(user, "create"):
        raise PermissionDenied(_("Only drafters can create instruments."))
    texts = _texts(
        Instrument,
        {"title_km": title_km, "title_en": title_en, "sector": sector},
        ("title_km", "title_en", "sector"),
    )
    co_drafters = _co_drafters(co_drafters)
    instrument = Instrument(
        instrument_type=_instance(instrument_type, InstrumentType, "instrument_type"),
        owning_office=_instance(owning_office, Organisation, "owning_office"),
        lead_drafter=user,
        **texts,
    )
    instrument._history_user = user
    instrument.full_clean()
    instrument.save()
    instrument.co_drafters.set(co_drafters)
    return instrument


@transaction.atomic
def instrument_update(
    *, instrument: Instrument, user: User, expected_lock_version: int, **fields
) -> Instrument:
    # Status, drafters, reference number…: only the process (workflows) changes those.
    unknown = set(fields) - set(INSTRUMENT_FIELDS)
    if unknown:
        raise TypeError(f"fields not editable here: {', '.join(sorted(unknown))}")
    locked = _lock_instrument(instrument)
    _check_can_edit(user, locked)
    if locked.lock_version != expected_lock_version:
        raise EditConflict(current=locked)
    co_drafters = fields.pop("co_drafters", None)
    if co_drafters is not None:
        co_drafters = _co_drafters(co_drafters)
    if "instrument_type" in fields:
        locked.instrument_type = _instance(
            fields.pop("instrument_type"), InstrumentType, "instrument_type"
        )
    if "owning_office" in fields:
        locked.owning_office = _instance(fields.pop("owning_office"), Organisation, "owning_office")
    for name, value in _texts(Instrument, fields, fields).items():
        setattr(locked, name, value)
    locked.lock_version += 1
    _save(locked, user)
    if co_drafters is not None:
        locked.co_drafters.set(co_drafters)
    return locked


def _co_drafters(co_drafters) -> list[User]:
    if isinstance(co_drafters, str | bytes) or not isinstance(co_drafters, Iterable):
        raise ValidationError({"co_drafters": _("Choose one of the proposed values.")})
    return [_instance(person, User, "co_drafters") for person in co_drafters]


# --- Provisions -------------------------------------------------------------------------


@transaction.atomic
def provision_add(
    *,
    instrument: Instrument,
    user: User,
    kind: str,
    parent: Provision | None = None,
    after: Provision | None = None,
    **texts: str,
) -> Provision:
    """Add a provision under ``parent``, right after ``after`` (or last)."""
    values = _texts(Provision, {name: texts.get(name) for name in TEXT_FIELDS}, TEXT_FIELDS)
    _instance(parent, Provision, "parent", optional=True)
    _instance(after, Provision, "after", optional=True)
    locked = _lock_instrument(instrument)
    _check_can_edit(user, locked)
    if parent is not None and parent.instrument_id != locked.pk:
        raise ValidationError(_("The chosen place is not in this instrument."))
    siblings = Provision.objects.filter(instrument=locked, parent=parent)
    if after is not None:
        # Read again: the caller's copy may be stale, or from another instrument.
        after = siblings.filter(pk=after.pk).first()
        if after is None:
            raise ValidationError(_("The chosen place is not in this instrument."))
        position = after.position + 1
        siblings.filter(position__gte=position).update(position=F("position") + 1)
    else:
        position = (siblings.aggregate(last=Max("position"))["last"] or 0) + 1
    provision = Provision(
        instrument=locked,
        parent=parent,
        kind=kind,
        position=position,
        **values,
    )
    _save(provision, user)
    _touch(locked)
    return provision


@transaction.atomic
def provision_update(
    *, provision: Provision, user: User, expected_lock_version: int, **texts: str
) -> Provision:
    """Save new text for one provision, unless someone else saved it first."""
    values = _texts(Provision, texts, [name for name in TEXT_FIELDS if name in texts])
    current = (
        Provision.objects.select_for_update().select_related("instrument").get(pk=provision.pk)
    )
    _check_can_edit(user, current.instrument)
    if current.lock_version != expected_lock_version:
        raise EditConflict(current=current)
    for name, value in values.items():
        setattr(current, name, value)
    current.lock_version += 1
    _save(current, user)
    _touch(current.instrument)
    return current


def _compact(instrument_id: int, parent_id: int | None) -> None:
    """Renumber the positions of one parent's children 1..n, keeping their order."""
    siblings = list(
        Provision.objects.filter(instrument_id=instrument_id, parent_id=parent_id).order_by(
            "position"
        )
    )
    changed = []
    for index, sibling in enumerate(siblings, start=1):
        if sibling.position != index:
            sibling.position = index
            changed.append(sibling)
    Provision.objects.bulk_update(changed, ["position"])


@transaction.atomic
def provision_move(
    *,
    provision: Provision,
    user: User,
    parent: Provision | None = None,
    after: Provision | None = None,
    to_start: bool = False,
) -> Provision:
    """Move a provision (with everything under it) after ``after`` under ``parent``.

    Its identity stays: comments and history follow it; only its number changes.
    """
    _instance(parent, Provision, "parent", optional=True)
    _instance(after, Provision, "after", optional=True)
    if not isinstance(to_start, bool):
        raise ValidationError({"to_start": _("Choose one of the proposed values.")})
    instrument_id = Provision.objects.values_list("instrument_id", flat=True).get(pk=provision.pk)
    locked = _lock_instrument(Instrument(pk=instrument_id))
    _check_can_edit(user, locked)
    # Read under the lock: the caller's copies may be stale.
    parent_of = dict(Provision.objects.filter(instrument=locked).values_list("pk", "parent_id"))
    current = Provision.objects.get(pk=provision.pk)
    if parent is not None:
        if parent.pk not in parent_of:
            raise ValidationError(_("The chosen place is not in this instrument."))
        ancestor = parent.pk
        while ancestor is not None:
            if ancestor == current.pk:
                raise ValidationError(_("A provision cannot be moved inside itself."))
            ancestor = parent_of[ancestor]
    old_parent_id = current.parent_id
    new_parent_id = parent.pk if parent else None
    siblings = Provision.objects.filter(instrument=locked, parent_id=new_parent_id).exclude(
        pk=current.pk
    )
    if to_start:
        position = 1
    elif after is not None:
        after = siblings.filter(pk=after.pk).first()
        if after is None:
            raise ValidationError(_("The chosen place is not in this instrument."))
        position = after.position + 1
    else:
        position = (siblings.aggregate(last=Max("position"))["last"] or 0) + 1
    siblings.filter(position__gte=position).update(position=F("position") + 1)
    current.parent_id = new_parent_id
    current.position = position
    _save(current, user, update_fields=["parent", "position", "updated_at"])
    _compact(locked.pk, new_parent_id)
    if old_parent_id != new_parent_id:
        _compact(locked.pk, old_parent_id)
    _touch(locked)
    return current


@transaction.atomic
def provision_shift(*, provision: Provision, user: User, direction: str) -> Provision:
    """Move a provision one place up or down among its siblings."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": _("Choose up or down.")})
    current = Provision.objects.select_related("instrument").get(pk=provision.pk)
    # Refused even where there is no place to go: the answer must not depend on the place.
    _check_can_edit(user, _lock_instrument(current.instrument))
    siblings = list(
        Provision.objects.filter(
            instrument_id=current.instrument_id, parent_id=current.parent_id
        ).order_by("position")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == current.pk)
    parent = current.parent
    if direction == "up" and index > 0:
        before = siblings[index - 2] if index >= 2 else None
        return provision_move(
            provision=current, user=user, parent=parent, after=before, to_start=before is None
        )
    if direction == "down" and index < len(siblings) - 1:
        return provision_move(
            provision=current, user=user, parent=parent, after=siblings[index + 1]
        )
    return current


@transaction.atomic
def provision_delete(*, provision: Provision, user: User) -> None:
    current = Provision.objects.select_related("instrument").get(pk=provision.pk)
    locked = _lock_instrument(current.instrument)
    _check_can_edit(user, locked)
    parent_id = current.parent_id
    _delete([current], user)  # with everything under it
    _compact(locked.pk, parent_id)
    _touch(locked)


# --- Transfer schedule ------------------------------------------------------------------


@transaction.atomic
def schedule_row_add(*, instrument: Instrument, user: User, **values) -> ScheduleRow:
    locked = _lock_instrument(instrument)
    _check_can_edit(user, locked)
    last = ScheduleRow.objects.filter(instrument=locked).aggregate(last=Max("position"))["last"]
    row = ScheduleRow(instrument=locked, position=(last or 0) + 1, **_schedule_values(values))
    _save(row, user)
    _touch(locked)
    return row


@transaction.atomic
def schedule_row_update(
    *, row: ScheduleRow, user: User, expected_lock_version: int, **values
) -> ScheduleRow:
    current = ScheduleRow.objects.select_for_update().select_related("instrument").get(pk=row.pk)
    _check_can_edit(user, current.instrument)
    if current.lock_version != expected_lock_version:
        raise EditConflict(current=current)
    for name, value in _schedule_values(values).items():
        setattr(current, name, value)
    current.lock_version += 1
    _save(current, user)
    _touch(current.instrument)
    return current


@transaction.atomic
def schedule_row_delete(*, row: ScheduleRow, user: User) -> None:
    current = ScheduleRow.objects.select_related("instrument").get(pk=row.pk)
    _check_can_edit(user, _lock_instrument(current.instrument))
    _delete([current], user)
    _touch(current.instrument)


def _schedule_values(values: dict) -> dict:
    unknown = set(values) - set(SCHEDULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown schedule fields: {', '.join(sorted(unknown))}")
    texts = _texts(ScheduleRow, values, (n for n in values if n in SCHEDULE_TEXT_FIELDS))
    effective = values.get("effective_date")
    if effective is not None and (
        isinstance(effective, datetime) or not isinstance(effective, date | str)
    ):
        # A date, or its ISO form (checked by the model's own cleaning); Django's date field
        # raises a TypeError, not a message, for a number or a list.
        raise ValidationError({"effective_date": _("Give a valid date.")})
    if "from_ministry" in values:
        texts["from_ministry"] = _instance(values["from_ministry"], Organisation, "from_ministry")
    return {**values, **texts}


# --- Versions ---------------------------------------------------------------------------


@transaction.atomic
def version_create(
    *,
    instrument: Instrument,
    user: User,
    label: str,
    reason: str = Version.Reason.MANUAL,
    restored_from: Version | None = None,
) -> Version:
    """A drafter freezes the working draft as a named version (the editor's "Save version").

    Only while the text is the drafters' to change (draft, consolidation), like every other
    edit: a signed, registered or rejected instrument gets no version after the one the
    process froze. The process's own freezes (submission, rounds, signature) go through
    ``version_freeze`` and are not affected.
    """
    if not permissions.instrument_policy.user_may(user, "draft", instrument):
        raise PermissionDenied(_("Only the drafters of this instrument can save a version."))
    if reason not in Version.Reason.values:
        raise ValidationError({"reason": _("Choose one of the proposed values.")})
    restored_from = _instance(restored_from, Version, "restored_from", optional=True)
    if restored_from is not None and restored_from.instrument_id != instrument.pk:
        raise ValidationError({"restored_from": _("Choose one of the proposed values.")})
    locked = instrument_lock(pk=instrument.pk)
    if locked.status not in permissions.EDITABLE_STATUSES:
        raise NotEditable(str(NotEditable.message))
    return version_freeze(
        instrument=locked,
        user=user,
        label=label,
        reason=reason,
        restored_from=restored_from,
        is_locked=True,
    )


def instrument_lock(*, pk: int, **annotations) -> Instrument:
    """Row-lock an instrument before freezing a version: with its type and its last version
    number (what the snapshot and the numbering read) and the caller's own ``annotations``,
    in one query."""
    return (
        Instrument.objects.select_for_update(of=("self",))
        .select_related("instrument_type")
        .annotate(
            last_version=Subquery(
                Version.objects.filter(instrument=OuterRef("pk"))
                .order_by("-number")
                .values("number")[:1]
            ),
            **annotations,
        )
        .get(pk=pk)
    )


def version_freeze(
    *,
    instrument: Instrument,
    user: User,
    label: str,
    reason: str = Version.Reason.MANUAL,
    restored_from: Version | None = None,
    is_locked: bool = False,
) -> Version:
    """Freeze the working draft as an immutable version with its SHA-256.

    Checks no permission: ``version_create`` does for the editor, and the approval process's
    services have checked the user's right to take their step. Runs in the caller's
    transaction (the process steps hold one already; a savepoint of its own would only cost
    queries), and row-locks the instrument so that no editor's save falls half inside, unless
    ``is_locked`` says that ``instrument`` came from ``instrument_lock`` in this transaction.
    """
    label = model_text(Version, "label", label)
    if not label:
        raise ValidationError({"label": _("Give the version a name.")})
    locked = instrument if is_locked else instrument_lock(pk=instrument.pk)
    snapshot = instrument_snapshot(instrument=locked)
    version = Version(
        instrument=locked,
        number=(locked.last_version or 0) + 1,
        label=label,
        reason=reason,
        snapshot=snapshot,
        sha256=snapshot_sha256(snapshot),
        restored_from=restored_from,
        created_by=user,
    )
    version.save()
    locked.last_version = version.number
    return version


@transaction.atomic
def version_restore(*, version: Version, user: User) -> Version:
    """Make an old version the working draft again, and record that as a new version.

    Nothing is overwritten: the current text stays in the history and in its versions; the
    provisions come back with their old identities, so comments stay attached.
    """
    locked = _lock_instrument(version.instrument)
    _check_can_edit(user, locked)
    snapshot = version.snapshot
    _delete(Provision.objects.filter(instrument=locked, parent=None), user)
    _delete(ScheduleRow.objects.filter(instrument=locked), user)

    locked.title_km = snapshot["instrument"]["title_km"]
    locked.title_en = snapshot["instrument"]["title_en"]
    locked.lock_version += 1
    _save(locked, user, update_fields=["title_km", "title_en", "lock_version", "updated_at"])

    _restore_provisions(locked, snapshot["provisions"], user)
    _restore_schedule(locked, snapshot["schedule"], user)
    return version_create(
        instrument=locked,
        user=user,
        label=_("Restored from version %(number)s") % {"number": version.number},
        reason=Version.Reason.RESTORED,
        restored_from=version,
    )


def _restore_provisions(instrument: Instrument, items: list[dict], user: User) -> None:
    # Parents come before children in a snapshot (document order), so one pass per depth
    # suffices; positions are the order among siblings.
    positions: dict[str | None, int] = {}
    pk_of: dict[str, int] = {}
    pending = list(items)
    while pending:
        ready = [item for item in pending if item["parent"] is None or item["parent"] in pk_of]
        if not ready:  # a parent missing from the snapshot: never loop for ever
            raise ValueError("snapshot has provisions whose parent is not in it")
        rows = []
        for item in ready:
            positions[item["parent"]] = positions.get(item["parent"], 0) + 1
            rows.append(
                Provision(
                    uid=item["uid"],
                    instrument=instrument,
                    parent_id=pk_of.get(item["parent"]),
                    kind=item["kind"],
                    position=positions[item["parent"]],
                    **{name: item.get(name, "") for name in TEXT_FIELDS},
                )
            )
        created = bulk_create_with_history(rows, Provision, default_user=user)
        if not all(row.pk for row in created):  # backends without RETURNING
            created = list(Provision.objects.filter(uid__in=[row.uid for row in rows]))
        pk_of.update({str(row.uid): row.pk for row in created})
        pending = [item for item in pending if item["uid"] not in pk_of]


def _restore_schedule(instrument: Instrument, items: list[dict], user: User) -> None:
    ministries = dict(
        Organisation.objects.filter(code__in={item["from_ministry"] for item in items}).values_list(
            "code", "pk"
        )
    )
    rows = [
        ScheduleRow(
            uid=item["uid"],
            instrument=instrument,
            position=position,
            function_km=item["function_km"],
            function_en=item.get("function_en", ""),
            from_ministry_id=ministries[item["from_ministry"]],
            level=item["level"],
            legal_basis=item.get("legal_basis", ""),
            staff_count=item.get("staff_count") or 0,
            budget_riel=item.get("budget_riel") or 0,
            assets=item.get("assets", ""),
            effective_date=date.fromisoformat(item["effective_date"])
            if item.get("effective_date")
            else None,
        )
        for position, item in enumerate(items, start=1)
    ]
    bulk_create_with_history(rows, ScheduleRow, default_user=user)
