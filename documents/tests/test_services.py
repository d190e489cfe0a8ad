"""Editing an instrument's text and schedule: places, identities, conflicts, rights, history."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from documents import services
from documents.errors import EditConflict, NotEditable
from documents.models import Instrument, InstrumentType, Provision, ScheduleRow
from documents.selectors import instrument_tree
from organisations.models import Organisation, User
from organisations.roles import Role
from organisations.services import user_set_roles


@pytest.fixture
def co_drafter(demo):
    user = User.objects.create_user(username="drafter2", password="x")
    user_set_roles(user=user, roles=[Role.DRAFTER])
    return user


@pytest.fixture
def instrument(demo, co_drafter):
    return services.instrument_create(
        user=demo["drafter"],
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្ដីពីការផ្ទេរមុខងារ",
        owning_office=Organisation.objects.get(code="dfr-fr"),
        co_drafters=[co_drafter],
    )


@pytest.fixture
def other_instrument(demo):
    return services.instrument_create(
        user=demo["drafter"],
        instrument_type=InstrumentType.objects.get(code="prakas"),
        title_km="ប្រកាសផ្សេង",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )


def add(instrument, user, kind="article", **kwargs):
    return services.provision_add(instrument=instrument, user=user, kind=kind, **kwargs)


def children(parent, instrument=None):
    """Texts (or headings) of a parent's children in position order, and their positions."""
    rows = Provision.objects.filter(
        parent=parent, **({"instrument": instrument} if parent is None else {})
    ).order_by("position")
    return [(row.position, row.text_km or row.heading_km) for row in rows]


def tree_texts(instrument):
    return [
        n.provision.text_km or n.provision.heading_km
        for n in instrument_tree(instrument=instrument)
    ]


@pytest.fixture
def chapters(instrument, demo):
    """Two chapters: ch1 with articles a, b, c; ch2 with articles d, e."""
    user = demo["drafter"]
    ch1 = add(instrument, user, "chapter", heading_km="ch1")
    ch2 = add(instrument, user, "chapter", heading_km="ch2")
    arts = {t: add(instrument, user, parent=ch1, text_km=t) for t in "abc"}
    arts |= {t: add(instrument, user, parent=ch2, text_km=t) for t in "de"}
    return ch1, ch2, arts


# --- Add -----------------------------------------------------------------------------------


def test_add_appends_last_and_after_inserts_shifting_the_rest(instrument, demo):
    user = demo["drafter"]
    ch = add(instrument, user, "chapter", heading_km="ជំពូក")
    a = add(instrument, user, parent=ch, text_km="a")
    add(instrument, user, parent=ch, text_km="c")
    add(instrument, user, parent=ch, text_km="b", after=a)
    assert children(ch) == [(1, "a"), (2, "b"), (3, "c")]
    assert tree_texts(instrument) == ["ជំពូក", "a", "b", "c"]


def test_add_uses_fresh_positions_not_the_callers_stale_copy(instrument, demo):
    user = demo["drafter"]
    a = add(instrument, user, text_km="a")
    stale_b = add(instrument, user, text_km="b")
    add(instrument, user, text_km="first", after=None)
    services.provision_move(provision=stale_b, user=user, to_start=True)  # b is now 1st
    # The caller still holds b at position 2: the new article must follow b, wherever b is.
    add(instrument, user, text_km="after-b", after=stale_b)
    assert [t for _, t in children(None, instrument)] == ["b", "after-b", "a", "first"]
    assert a.uid == Provision.objects.get(text_km="a").uid


def test_add_refuses_a_place_in_another_instrument(instrument, other_instrument, demo):
    user = demo["drafter"]
    foreign = add(other_instrument, user, "chapter", heading_km="x")
    foreign_root_article = add(other_instrument, user, text_km="y")
    with pytest.raises(ValidationError):
        add(instrument, user, parent=foreign, text_km="z")
    with pytest.raises(ValidationError):
        add(instrument, user, after=foreign_root_article, text_km="z")
    assert not Provision.objects.filter(instrument=instrument).exists()


def test_add_refuses_an_unknown_kind(instrument, demo):
    with pytest.raises(ValidationError):
        add(instrument, demo["drafter"], kind="verse", text_km="x")
    assert not Provision.objects.filter(instrument=instrument).exists()


# --- Update --------------------------------------------------------------------------------


def test_update_saves_only_given_fields_and_counts_the_edit(instrument, demo):
    user = demo["drafter"]
    article = add(instrument, user, text_km="ចាស់", heading_km="ចំណងជើង")
    saved = services.provision_update(
        provision=article, user=user, expected_lock_version=0, text_km="ថ្មី", text_en="new"
    )
    stored = Provision.objects.get(pk=article.pk)
    assert (stored.text_km, stored.text_en, stored.heading_km) == ("ថ្មី", "new", "ចំណងជើង")
    assert stored.lock_version == saved.lock_version == 1
    assert stored.uid == article.uid


def test_instrument_update_keeps_the_title_as_typed_and_refuses_process_fields(instrument, demo):
    user = demo["drafter"]
    updated = services.instrument_update(
        instrument=instrument, user=user, expected_lock_version=0, title_km="<i>ថ្មី</i>"
    )
    assert updated.title_km == "<i>ថ្មី</i>" and updated.lock_version == 1
    with pytest.raises(TypeError):
        services.instrument_update(
            instrument=instrument, user=user, expected_lock_version=1, status="signed"
        )
    assert Instrument.objects.get(pk=instrument.pk).status == Instrument.Status.DRAFT
    with pytest.raises(EditConflict):
        services.instrument_update(
            instrument=instrument, user=user, expected_lock_version=0, title_km="ចាស់"
        )
    assert Instrument.objects.get(pk=instrument.pk).title_km == "<i>ថ្មី</i>"


def test_only_drafters_may_create_instruments(demo):
    with pytest.raises(PermissionDenied):
        services.instrument_create(
            user=demo["chief"],
            instrument_type=InstrumentType.objects.get(code="prakas"),
            title_km="x",
            owning_office=Organisation.objects.get(code="dfr-fr"),
        )


# --- Optimistic locking --------------------------------------------------------------------


def test_second_save_from_the_same_starting_point_is_refused_with_the_first_text(
    instrument, demo, co_drafter
):
    drafter = demo["drafter"]
    article = add(instrument, drafter, text_km="ដើម")
    # Both open the editor: both hold lock_version 0.
    mine = Provision.objects.get(pk=article.pk)
    theirs = Provision.objects.get(pk=article.pk)
    assert mine.lock_version == theirs.lock_version == 0

    services.provision_update(
        provision=mine, user=drafter, expected_lock_version=mine.lock_version, text_km="ទីមួយ"
    )
    history_before = Provision.history.filter(uid=article.uid).count()
    with pytest.raises(EditConflict) as conflict:
        services.provision_update(
            provision=theirs,
            user=co_drafter,
            expected_lock_version=theirs.lock_version,
            text_km="ទីពីរ",
        )

    assert conflict.value.current.text_km == "ទីមួយ"
    assert conflict.value.current.lock_version == 1
    stored = Provision.objects.get(pk=article.pk)
    assert (stored.text_km, stored.lock_version) == ("ទីមួយ", 1)
    assert Provision.history.filter(uid=article.uid).count() == history_before

    # Having seen the first text, the second person merges and saves from version 1.
    services.provision_update(
        provision=theirs, user=co_drafter, expected_lock_version=1, text_km="ទីមួយ និងទីពីរ"
    )
    stored.refresh_from_db()
    assert (stored.text_km, stored.lock_version) == ("ទីមួយ និងទីពីរ", 2)


# --- Rights --------------------------------------------------------------------------------


def test_co_drafter_may_edit(instrument, co_drafter):
    article = add(instrument, co_drafter, text_km="ក")
    services.provision_update(
        provision=article, user=co_drafter, expected_lock_version=0, text_km="ខ"
    )
    assert Provision.objects.get(pk=article.pk).text_km == "ខ"


@pytest.mark.parametrize("username", ["chief", "director", "legal", "admin", "reviewer-mef"])
def test_others_may_not_change_anything(instrument, demo, chapters, username):
    user = demo[username]
    ch1, ch2, arts = chapters
    a = arts["a"]
    row = services.schedule_row_add(
        instrument=instrument,
        user=demo["drafter"],
        function_km="មុខងារ",
        from_ministry=Organisation.objects.get(code="mef"),
        level="province",
    )
    attempts = [
        lambda: add(instrument, user, text_km="x"),
        lambda: services.provision_update(
            provision=a, user=user, expected_lock_version=0, text_km="x"
        ),
        lambda: services.provision_move(provision=a, user=user, parent=ch2),
        lambda: services.provision_shift(provision=a, user=user, direction="up"),  # 1st already
        lambda: services.provision_shift(provision=a, user=user, direction="down"),
        lambda: services.provision_delete(provision=a, user=user),
        lambda: services.instrument_update(
            instrument=instrument, user=user, expected_lock_version=0, title_km="x"
        ),
        lambda: services.schedule_row_add(
            instrument=instrument,
            user=user,
            function_km="x",
            from_ministry=Organisation.objects.get(code="mef"),
            level="province",
        ),
        lambda: services.schedule_row_update(
            row=row, user=user, expected_lock_version=0, function_km="x"
        ),
        lambda: services.schedule_row_delete(row=row, user=user),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert tree_texts(instrument) == ["ch1", "a", "b", "c", "ch2", "d", "e"]
    assert Provision.objects.get(pk=a.pk).lock_version == 0
    assert ScheduleRow.objects.get(pk=row.pk).function_km == "មុខងារ"
    assert Instrument.objects.get(pk=instrument.pk).title_km == instrument.title_km


@pytest.mark.parametrize(
    "status",
    [
        Instrument.Status.INTERNAL_REVIEW,
        Instrument.Status.CONSULTATION,
        Instrument.Status.SIGNED,
        Instrument.Status.REGISTERED,
    ],
)
def test_drafters_may_not_edit_once_the_text_left_their_hands(instrument, demo, chapters, status):
    drafter = demo["drafter"]
    a = chapters[2]["a"]
    Instrument.objects.filter(pk=instrument.pk).update(status=status)
    with pytest.raises(NotEditable):
        services.provision_update(provision=a, user=drafter, expected_lock_version=0, text_km="x")
    with pytest.raises(NotEditable):
        add(instrument, drafter, text_km="x")
    with pytest.raises(NotEditable):
        services.provision_delete(provision=a, user=drafter)
    with pytest.raises(NotEditable):
        services.provision_move(provision=a, user=drafter, to_start=True)
    assert Provision.objects.get(pk=a.pk).text_km == "a"


def test_drafters_may_edit_again_during_consolidation(instrument, demo, chapters):
    a = chapters[2]["a"]
    Instrument.objects.filter(pk=instrument.pk).update(status=Instrument.Status.CONSOLIDATION)
    services.provision_update(
        provision=a, user=demo["drafter"], expected_lock_version=0, text_km="ថ្មី"
    )
    assert Provision.objects.get(pk=a.pk).text_km == "ថ្មី"


# --- Move and shift ------------------------------------------------------------------------


def test_move_within_a_chapter(instrument, demo, chapters):
    ch1, _, arts = chapters
    user = demo["drafter"]
    services.provision_move(provision=arts["a"], user=user, parent=ch1, after=arts["c"])
    assert children(ch1) == [(1, "b"), (2, "c"), (3, "a")]
    services.provision_move(provision=arts["a"], user=user, parent=ch1, to_start=True)
    assert children(ch1) == [(1, "a"), (2, "b"), (3, "c")]


def test_move_into_another_chapter_keeps_identity_and_compacts_both(instrument, demo, chapters):
    ch1, ch2, arts = chapters
    user = demo["drafter"]
    b = arts["b"]
    moved = services.provision_move(provision=b, user=user, parent=ch2, after=arts["d"])
    assert moved.uid == b.uid
    assert children(ch1) == [(1, "a"), (2, "c")]
    assert children(ch2) == [(1, "d"), (2, "b"), (3, "e")]
    assert tree_texts(instrument) == ["ch1", "a", "c", "ch2", "d", "b", "e"]
    services.provision_move(provision=arts["c"], user=user, parent=ch2)  # last by default
    assert children(ch2)[-1] == (4, "c")


def test_move_a_chapter_with_its_articles(instrument, demo, chapters):
    ch1, ch2, _ = chapters
    services.provision_move(provision=ch2, user=demo["drafter"], to_start=True)
    assert tree_texts(instrument) == ["ch2", "d", "e", "ch1", "a", "b", "c"]


def test_move_refuses_to_put_a_provision_inside_itself(instrument, demo, chapters):
    ch1, _, arts = chapters
    user = demo["drafter"]
    paragraph = add(instrument, user, "paragraph", parent=arts["a"], text_km="p")
    for target in (ch1, arts["a"], paragraph):
        with pytest.raises(ValidationError):
            services.provision_move(provision=ch1, user=user, parent=target)
    with pytest.raises(ValidationError):
        services.provision_move(provision=arts["a"], user=user, parent=paragraph)
    assert Provision.objects.get(pk=ch1.pk).parent_id is None
    assert Provision.objects.get(pk=arts["a"].pk).parent_id == ch1.pk


def test_move_refuses_a_place_elsewhere(instrument, other_instrument, demo, chapters):
    ch1, ch2, arts = chapters
    user = demo["drafter"]
    foreign = add(other_instrument, user, "chapter", heading_km="x")
    with pytest.raises(ValidationError):
        services.provision_move(provision=arts["a"], user=user, parent=foreign)
    with pytest.raises(ValidationError):  # "after" must stand under the new parent
        services.provision_move(provision=arts["a"], user=user, parent=ch2, after=arts["b"])
    with pytest.raises(ValidationError):  # nor after itself
        services.provision_move(provision=arts["a"], user=user, parent=ch1, after=arts["a"])
    assert children(ch1) == [(1, "a"), (2, "b"), (3, "c")]


def test_shift_up_and_down_and_stop_at_the_ends(instrument, demo, chapters):
    ch1, _, arts = chapters
    user = demo["drafter"]
    services.provision_shift(provision=arts["c"], user=user, direction="up")
    assert [t for _, t in children(ch1)] == ["a", "c", "b"]
    services.provision_shift(provision=arts["c"], user=user, direction="up")
    assert [t for _, t in children(ch1)] == ["c", "a", "b"]
    services.provision_shift(provision=arts["c"], user=user, direction="up")  # already first
    assert [t for _, t in children(ch1)] == ["c", "a", "b"]
    services.provision_shift(provision=arts["a"], user=user, direction="down")
    assert children(ch1) == [(1, "c"), (2, "b"), (3, "a")]
    services.provision_shift(provision=arts["a"], user=user, direction="down")  # already last
    assert children(ch1) == [(1, "c"), (2, "b"), (3, "a")]
    with pytest.raises(ValidationError):
        services.provision_shift(provision=arts["a"], user=user, direction="sideways")


# --- Delete --------------------------------------------------------------------------------


def test_delete_removes_everything_under_it_and_closes_the_gap(instrument, demo, chapters):
    ch1, ch2, arts = chapters
    user = demo["drafter"]
    add(instrument, user, "paragraph", parent=arts["d"], text_km="p")
    services.provision_delete(provision=arts["b"], user=user)
    assert children(ch1) == [(1, "a"), (2, "c")]
    services.provision_delete(provision=ch2, user=user)
    assert tree_texts(instrument) == ["ch1", "a", "c"]
    assert not Provision.objects.filter(text_km__in=["d", "e", "p"]).exists()


# --- History -------------------------------------------------------------------------------


def test_every_save_is_in_the_history_with_who_did_it(instrument, demo, co_drafter):
    drafter = demo["drafter"]
    ch = add(instrument, drafter, "chapter", heading_km="ch")
    article = add(instrument, co_drafter, parent=ch, text_km="v1")
    paragraph = add(instrument, drafter, "paragraph", parent=article, text_km="p")
    services.provision_update(
        provision=article, user=co_drafter, expected_lock_version=0, text_km="v2"
    )
    services.provision_move(provision=article, user=drafter, to_start=True)
    services.provision_delete(provision=article, user=co_drafter)  # takes the paragraph too

    records = list(Provision.history.filter(uid=article.uid).order_by("history_id"))
    assert [(r.history_type, r.history_user, r.text_km) for r in records] == [
        ("+", co_drafter, "v1"),
        ("~", co_drafter, "v2"),
        ("~", drafter, "v2"),
        ("-", co_drafter, "v2"),
    ]
    paragraph_records = Provision.history.filter(uid=paragraph.uid).order_by("history_id")
    assert [(r.history_type, r.history_user) for r in paragraph_records] == [
        ("+", drafter),
        ("-", co_drafter),  # deleted with its article: by the same person
    ]
    instrument_records = Instrument.history.filter(id=instrument.pk)
    assert instrument_records.order_by("history_id").first().history_type == "+"
    assert {r.history_user for r in instrument_records} == {drafter}


# --- Transfer schedule ---------------------------------------------------------------------


def _row(instrument, user, **values):
    defaults = {
        "function_km": "គ្រប់គ្រងសាលាបឋមសិក្សា",
        "from_ministry": Organisation.objects.get(code="moeys"),
        "level": ScheduleRow.Level.DISTRICT,
    }
    return services.schedule_row_add(instrument=instrument, user=user, **(defaults | values))


def test_schedule_rows_add_update_delete(instrument, demo):
    user = demo["drafter"]
    first = _row(instrument, user, staff_count=12, budget_riel=250_000_000)
    second = _row(instrument, user, function_km="<b>សុខាភិបាល</b>", effective_date=date(2027, 1, 1))
    assert (first.position, second.position) == (1, 2)
    assert ScheduleRow.objects.get(pk=second.pk).function_km == "<b>សុខាភិបាល</b>"

    updated = services.schedule_row_update(
        row=first,
        user=user,
        expected_lock_version=0,
        level=ScheduleRow.Level.COMMUNE,
        staff_count=20,
        effective_date="2027-06-30",
    )
    stored = ScheduleRow.objects.get(pk=first.pk)
    assert (stored.level, stored.staff_count, stored.effective_date) == (
        "commune",
        20,
        date(2027, 6, 30),
    )
    assert stored.budget_riel == 250_000_000  # untouched
    assert stored.lock_version == updated.lock_version == 1

    services.schedule_row_delete(row=second, user=user)
    assert list(ScheduleRow.objects.filter(instrument=instrument)) == [stored]
    history = ScheduleRow.history.filter(uid=second.uid).order_by("history_id")
    assert [(r.history_type, r.history_user) for r in history] == [("+", user), ("-", user)]


def test_schedule_row_refuses_unknown_fields_and_invalid_values(instrument, demo):
    user = demo["drafter"]
    with pytest.raises(TypeError):
        _row(instrument, user, instrument=instrument)
    with pytest.raises(ValidationError):
        _row(instrument, user, level="country")
    assert not ScheduleRow.objects.filter(instrument=instrument).exists()


def test_schedule_row_second_save_is_refused(instrument, demo, co_drafter):
    row = _row(instrument, demo["drafter"], staff_count=1)
    services.schedule_row_update(
        row=row, user=demo["drafter"], expected_lock_version=0, staff_count=5
    )
    with pytest.raises(EditConflict) as conflict:
        services.schedule_row_update(
            row=row, user=co_drafter, expected_lock_version=0, staff_count=9
        )
    assert conflict.value.current.staff_count == 5
    stored = ScheduleRow.objects.get(pk=row.pk)
    assert (stored.staff_count, stored.lock_version) == (5, 1)
