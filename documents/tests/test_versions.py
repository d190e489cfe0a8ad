"""Versions: a hashed, immutable snapshot of the whole instrument; restore; comparison."""

import hashlib
import unicodedata
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from documents import services
from documents.diffing import compare_snapshots
from documents.errors import ImmutableVersionError, NotEditable
from documents.models import Instrument, InstrumentType, Provision, ScheduleRow, Version
from documents.selectors import instrument_snapshot, instrument_timeline, version_list
from documents.snapshots import snapshot_sha256
from organisations.models import Organisation, User
from organisations.roles import Role
from organisations.services import user_set_roles

MANDATE = Path(__file__).resolve().parents[2] / "tests/data/department-mandate.km.txt"


@pytest.fixture
def drafter(demo):
    return demo["drafter"]


@pytest.fixture
def instrument(drafter):
    return services.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្ដីពីការផ្ទេរមុខងារ",
        title_en="Sub-decree on the transfer of functions",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )


@pytest.fixture
def text(instrument, drafter):
    """Chapter 1 (articles a, b), chapter 2 (article c), and one schedule row."""
    add = services.provision_add
    ch1 = add(instrument=instrument, user=drafter, kind="chapter", heading_km="ជំពូក ក")
    ch2 = add(instrument=instrument, user=drafter, kind="chapter", heading_km="ជំពូក ខ")
    a = add(instrument=instrument, user=drafter, kind="article", parent=ch1, text_km="ក ក ក")
    b = add(instrument=instrument, user=drafter, kind="article", parent=ch1, text_km="ខ ខ ខ")
    c = add(instrument=instrument, user=drafter, kind="article", parent=ch2, text_km="គ គ គ")
    row = services.schedule_row_add(
        instrument=instrument,
        user=drafter,
        function_km="គ្រប់គ្រងមណ្ឌលសុខភាព",
        from_ministry=Organisation.objects.get(code="moh"),
        level=ScheduleRow.Level.DISTRICT,
        staff_count=4,
        budget_riel=120_000_000,
    )
    return {"ch1": ch1, "ch2": ch2, "a": a, "b": b, "c": c, "row": row}


def save_version(instrument, user, label="v"):
    return services.version_create(instrument=instrument, user=user, label=label)


def working_text(instrument):
    snapshot = instrument_snapshot(instrument=Instrument.objects.get(pk=instrument.pk))
    return snapshot


# --- Creating versions ---------------------------------------------------------------------


def test_version_hashes_its_canonical_snapshot(instrument, drafter, text):
    version = save_version(instrument, drafter, "ពង្រាងដំបូង")
    stored = Version.objects.get(pk=version.pk)  # as read back from the database
    assert stored.sha256 == snapshot_sha256(stored.snapshot) == version.sha256
    assert len(stored.sha256) == 64
    assert stored.snapshot == working_text(instrument)
    assert stored.snapshot["instrument"]["type"] == "sub-decree"
    numbers = [(p["kind"], p["number"]) for p in stored.snapshot["provisions"]]
    assert numbers == [
        ("chapter", "1"),
        ("article", "1"),
        ("article", "2"),
        ("chapter", "2"),
        ("article", "3"),
    ]
    assert [r["from_ministry"] for r in stored.snapshot["schedule"]] == ["moh"]
    assert (stored.label, stored.reason, stored.created_by) == ("ពង្រាងដំបូង", "manual", drafter)


def test_any_change_changes_the_hash(instrument, drafter, text):
    first = save_version(instrument, drafter)
    services.provision_update(
        provision=text["c"], user=drafter, expected_lock_version=0, text_km="គ គ"
    )
    second = save_version(instrument, drafter)
    assert first.sha256 != second.sha256


def test_same_text_in_nfc_or_nfd_gives_the_same_hash(instrument, drafter, text):
    # "é" composed or not; a Khmer sign pair typed in either order (canonically equivalent).
    khmer_typed = "ក\u17dd\u17d2ខ"  # NFC reorders the marks: U+17D2 (ccc 9) before U+17DD
    assert unicodedata.normalize("NFC", khmer_typed) != khmer_typed
    composed = {"text_en": unicodedata.normalize("NFC", "Décret"), "heading_km": khmer_typed}
    decomposed = {
        "text_en": unicodedata.normalize("NFD", "Décret"),
        "heading_km": unicodedata.normalize("NFC", khmer_typed),
    }
    assert composed != decomposed
    services.provision_update(
        provision=text["a"], user=drafter, expected_lock_version=0, **composed
    )
    first = save_version(instrument, drafter)
    services.provision_update(
        provision=text["a"], user=drafter, expected_lock_version=1, **decomposed
    )
    second = save_version(instrument, drafter)
    # Stored in NFC (khmer.text): the same text, the same code points, the same hash.
    assert first.snapshot == second.snapshot
    assert first.sha256 == second.sha256


def test_versions_are_numbered_1_2_3_per_instrument(instrument, drafter, text, demo):
    other = services.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="prakas"),
        title_km="ប្រកាស",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    numbers = [save_version(instrument, drafter, f"v{i}").number for i in range(3)]
    assert numbers == [1, 2, 3]
    assert save_version(other, drafter).number == 1
    listed = version_list(instrument=instrument)
    assert [v.number for v in listed] == [3, 2, 1]
    assert [v.label for v in listed] == ["v2", "v1", "v0"]


def test_version_needs_a_drafter_and_a_name(instrument, drafter, text, demo):
    with pytest.raises(PermissionDenied):
        save_version(instrument, demo["chief"])
    with pytest.raises(ValidationError):
        save_version(instrument, drafter, "  ")
    assert not Version.objects.exists()
    # The process saves versions on behalf of whoever takes the step.
    version = services.version_freeze(
        instrument=instrument,
        user=demo["chief"],
        label="Submitted",
        reason=Version.Reason.SUBMITTED,
    )
    assert (version.number, version.reason) == (1, "submitted")


# --- Immutability --------------------------------------------------------------------------


@pytest.fixture
def version(instrument, drafter, text):
    return save_version(instrument, drafter, "ដើម")


def _unchanged(version):
    stored = Version.objects.get(pk=version.pk)
    assert (stored.label, stored.sha256, stored.snapshot) == (
        version.label,
        version.sha256,
        version.snapshot,
    )


def test_model_refuses_to_change_or_delete_a_version(version):
    version.label = "changed"
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        Version.objects.get(pk=version.pk).delete()
    version.label = "ដើម"
    _unchanged(version)


def test_database_refuses_queryset_update_and_delete(version):
    with pytest.raises(DatabaseError), transaction.atomic():
        Version.objects.filter(pk=version.pk).update(label="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        Version.objects.filter(pk=version.pk).delete()
    _unchanged(version)


def test_database_refuses_raw_sql_update_and_delete(version):
    table = connection.ops.quote_name(Version._meta.db_table)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET sha256 = %s WHERE id = %s", ["0" * 64, version.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [version.pk])
    _unchanged(version)


def test_an_instrument_with_versions_cannot_be_deleted(instrument, version):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Instrument.objects.get(pk=instrument.pk).delete()
    _unchanged(version)


# --- Restore -------------------------------------------------------------------------------


@pytest.fixture
def restorer(instrument):
    user = User.objects.create_user(username="drafter2", password="x")
    user_set_roles(user=user, roles=[Role.DRAFTER])
    instrument.co_drafters.add(user)
    return user


def test_restore_brings_back_text_schedule_and_identities(instrument, drafter, text, restorer):
    v1 = save_version(instrument, drafter, "v1")
    # Then the text changes in every way: edits, moves, deletions, additions, schedule, title.
    services.provision_update(
        provision=text["a"], user=drafter, expected_lock_version=0, text_km="ក ថ្មី"
    )
    services.provision_move(provision=text["c"], user=drafter, parent=text["ch1"], to_start=True)
    services.provision_delete(provision=text["b"], user=drafter)
    services.provision_add(instrument=instrument, user=drafter, kind="article", text_km="ថ្មី")
    services.schedule_row_update(
        row=text["row"], user=drafter, expected_lock_version=0, staff_count=99
    )
    services.schedule_row_add(
        instrument=instrument,
        user=drafter,
        function_km="ផ្សេង",
        from_ministry=Organisation.objects.get(code="mef"),
        level=ScheduleRow.Level.COMMUNE,
    )
    services.instrument_update(
        instrument=instrument, user=drafter, expected_lock_version=0, title_km="ចំណងជើងថ្មី"
    )
    v2 = save_version(instrument, drafter, "v2")
    assert v2.sha256 != v1.sha256

    v3 = services.version_restore(version=v1, user=restorer)

    assert (v3.number, v3.reason, v3.restored_from) == (3, Version.Reason.RESTORED, v1)
    assert v3.created_by == restorer
    assert working_text(instrument) == v1.snapshot
    assert v3.sha256 == v1.sha256
    # Same identities, so comments and history stay attached.
    expected_uids = {str(text[k].uid) for k in ("ch1", "ch2", "a", "b", "c")}
    assert {
        str(u)
        for u in Provision.objects.filter(instrument=instrument).values_list("uid", flat=True)
    } == expected_uids
    rows = list(ScheduleRow.objects.filter(instrument=instrument))
    assert [(r.uid, r.staff_count, r.from_ministry.code) for r in rows] == [
        (text["row"].uid, 4, "moh")
    ]
    assert Instrument.objects.get(pk=instrument.pk).title_km == "អនុក្រឹត្យស្ដីពីការផ្ទេរមុខងារ"
    # Older versions untouched.
    for old in (v1, v2):
        _unchanged(old)
    # The restore is in the history, under the restorer's name, including the cascade.
    deleted = Provision.history.filter(instrument_id=instrument.pk, history_type="-")
    assert {r.history_user for r in deleted if r.history_date >= v2.created_at} == {restorer}
    recreated = Provision.history.filter(uid=text["a"].uid).latest("history_id")
    assert (recreated.history_type, recreated.history_user) == ("+", restorer)


def test_restored_text_can_be_edited_again(instrument, drafter, text):
    v1 = save_version(instrument, drafter)
    services.version_restore(version=v1, user=drafter)
    article = Provision.objects.get(uid=text["a"].uid)
    services.provision_update(
        provision=article, user=drafter, expected_lock_version=article.lock_version, text_km="x"
    )
    assert Provision.objects.get(uid=text["a"].uid).text_km == "x"


def test_restore_needs_an_editable_instrument_and_a_drafter(instrument, drafter, text, demo):
    v1 = save_version(instrument, drafter)
    with pytest.raises(PermissionDenied):
        services.version_restore(version=v1, user=demo["chief"])
    Instrument.objects.filter(pk=instrument.pk).update(status=Instrument.Status.LEGAL_REVIEW)
    with pytest.raises(NotEditable):
        services.version_restore(version=v1, user=drafter)
    assert Version.objects.filter(instrument=instrument).count() == 1


def test_timeline_lists_saves_and_versions_newest_first(instrument, drafter, text):
    save_version(instrument, drafter, "ពង្រាង")
    entries = instrument_timeline(instrument=instrument)
    assert entries[0].what == "version" and entries[0].version.label == "ពង្រាង"
    assert {e.what for e in entries} == {"created", "version"}
    assert all(e.who == drafter for e in entries)
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)


# --- Comparing two stored versions ---------------------------------------------------------


@pytest.fixture
def bullets():
    lines = MANDATE.read_text(encoding="utf-8").splitlines()
    found = [line.strip(" •") for line in lines if line.strip().startswith("•")]
    assert len(found) >= 6
    return found


def test_compare_two_versions_of_khmer_text(instrument, drafter, bullets):
    add = services.provision_add
    ch1 = add(instrument=instrument, user=drafter, kind="chapter", heading_km=bullets[0][:40])
    ch2 = add(instrument=instrument, user=drafter, kind="chapter", heading_km=bullets[1][:40])
    arts = [
        add(instrument=instrument, user=drafter, kind="article", parent=ch1, text_km=bullets[i])
        for i in range(3)
    ] + [
        add(instrument=instrument, user=drafter, kind="article", parent=ch2, text_km=bullets[i])
        for i in range(3, 5)
    ]
    old_pk = save_version(instrument, drafter, "មុន").pk

    edited = arts[1].text_km.replace("គោលនយោបាយ", "គោលនយោបាយជាតិ", 1)
    assert edited != arts[1].text_km
    services.provision_update(
        provision=arts[1], user=drafter, expected_lock_version=0, text_km=edited
    )
    services.provision_move(provision=arts[0], user=drafter, parent=ch2, after=arts[3])
    added = add(instrument=instrument, user=drafter, kind="article", parent=ch2, text_km=bullets[5])
    new_pk = save_version(instrument, drafter, "ក្រោយ").pk

    old, new = Version.objects.get(pk=old_pk), Version.objects.get(pk=new_pk)
    comparison = compare_snapshots(old.snapshot, new.snapshot)
    by_uid = {diff.uid: diff for diff in comparison.provisions}
    summary = comparison.summary

    assert (summary.added, summary.deleted, summary.changed) == (1, 0, 1)
    assert summary.moved == 1 and summary.instrument_changed == 0
    assert by_uid[str(added.uid)].status == "added"
    moved = by_uid[str(arts[0].uid)]
    assert (moved.status, moved.moved, moved.renumbered) == ("unchanged", True, True)
    assert (moved.old["number"], moved.new["number"]) == ("1", "4")
    changed = by_uid[str(arts[1].uid)]
    assert (changed.status, changed.moved) == ("changed", False)
    assert [f.name for f in changed.fields] == ["text_km"]
    inserted = [t for op, t in changed.fields[0].segments if op == "insert"]
    assert "".join(inserted) == "ជាតិ"  # a word, not the whole clause
    assert not [t for op, t in changed.fields[0].segments if op == "delete"]
    assert by_uid[str(arts[4].uid)].status == "unchanged"
    assert not by_uid[str(arts[4].uid)].moved


# --- No version after the process has frozen the text ---------------------------------------

FINAL_STATUSES = [
    Instrument.Status.SIGNED,
    Instrument.Status.REGISTERED,
    Instrument.Status.REJECTED,
]


def _stage(instrument, status):
    Instrument.objects.filter(pk=instrument.pk).update(status=status)


@pytest.mark.parametrize("status", FINAL_STATUSES)
def test_save_version_is_refused_once_signed_registered_or_rejected(
    instrument, drafter, version, client, status
):
    from django.urls import reverse

    _stage(instrument, status)
    with pytest.raises(NotEditable):
        save_version(instrument, drafter, "after the signature")
    # Through the page's own form, as the drafter: refused with the reason, nothing written.
    client.force_login(drafter)
    response = client.post(
        reverse("documents:version_save", args=[instrument.pk]), {"label": "after"}
    )
    assert response.status_code == 403
    assert "លិខិតបទដ្ឋានគតិយុត្តនេះមិនអាចកែសម្រួលបានទេ នៅដំណាក់កាលបច្ចុប្បន្ន។" in (response.content.decode())
    assert list(Version.objects.filter(instrument=instrument)) == [version]
    # …and the page does not offer it.
    page = client.get(reverse("documents:versions", args=[instrument.pk])).content.decode()
    assert "lekhit-save-version" not in page
    assert reverse("documents:version_save", args=[instrument.pk]) not in page


def test_save_version_is_offered_and_works_while_the_text_is_the_drafters(
    instrument, drafter, version, client
):
    from django.urls import reverse

    client.force_login(drafter)
    page = client.get(reverse("documents:versions", args=[instrument.pk])).content.decode()
    assert "lekhit-save-version" in page
    response = client.post(
        reverse("documents:version_save", args=[instrument.pk]), {"label": "ទីពីរ"}
    )
    assert response.status_code == 302
    assert Version.objects.filter(instrument=instrument).count() == 2


def test_a_version_whose_text_no_longer_matches_its_hash_is_not_handed_out(version):
    from documents.errors import VersionIntegrityError
    from documents.selectors import version_text

    assert hashlib.sha256(version_text(version=version)).hexdigest() == version.sha256
    forged = Version(snapshot={**version.snapshot, "schedule": []}, sha256=version.sha256)
    with pytest.raises(VersionIntegrityError):
        version_text(version=forged)
