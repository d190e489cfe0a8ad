"""Nothing a drafter types is lost or changed (issue 9, item 9): stored as typed (NFC,
trimmed), escaped wherever a page shows it, refused with a message where it cannot be kept."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from documents import services
from documents.models import Instrument, InstrumentType, Provision, ScheduleRow, Version
from documents.tests.test_views import (
    HTMX,
    article,
    chapter,
    drafter_client,
    instrument,
    plain,
    url,
)
from organisations.models import Organisation

__all__ = ["article", "chapter", "drafter_client", "instrument"]  # fixtures

# The two reproductions of the issue, and what a page must show for each.
COMPARISON = "អត្រា x<y ហើយ y>z"
COMPARISON_SHOWN = "អត្រា x&lt;y ហើយ y&gt;z"
ENTITY = "&lt;script&gt;"
ENTITY_SHOWN = "&amp;lt;script&amp;gt;"
MARKUP = "<b>មាត្រា</b> <script>alert(1)</script>"
MARKUP_SHOWN = "&lt;b&gt;មាត្រា&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;"
NOT_NFC = "ក\u17dd\u17d2ខ"  # NFC puts U+17D2 (COENG, ccc 9) before U+17DD (ccc 230)


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    return plain(response.content.decode())


@pytest.mark.parametrize("typed", [COMPARISON, ENTITY, MARKUP])
def test_a_provision_is_stored_as_typed_through_the_service(demo, instrument, chapter, typed):
    article = services.provision_add(
        instrument=instrument,
        user=demo["drafter"],
        kind=Provision.Kind.ARTICLE,
        parent=chapter,
        heading_km=typed,
        text_km=f"  {typed}\n",
        text_en=typed,
    )
    stored = Provision.objects.get(pk=article.pk)
    assert (stored.heading_km, stored.text_km, stored.text_en) == (typed, typed, typed)
    services.provision_update(
        provision=stored, user=demo["drafter"], expected_lock_version=0, text_km=typed + "។"
    )
    assert Provision.objects.get(pk=article.pk).text_km == typed + "។"


def test_text_is_stored_in_nfc(demo, instrument, chapter):
    assert unicodedata.normalize("NFC", NOT_NFC) != NOT_NFC
    article = services.provision_add(
        instrument=instrument,
        user=demo["drafter"],
        kind=Provision.Kind.ARTICLE,
        parent=chapter,
        text_km=NOT_NFC,
    )
    assert Provision.objects.get(pk=article.pk).text_km == unicodedata.normalize("NFC", NOT_NFC)


def test_titles_schedule_rows_and_version_names_are_stored_as_typed(demo, instrument):
    drafter = demo["drafter"]
    created = services.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="prakas"),
        title_km=COMPARISON,
        title_en=ENTITY,
        owning_office=Organisation.objects.get(code="dfr-fr"),
        sector=MARKUP,
    )
    stored = Instrument.objects.get(pk=created.pk)
    assert (stored.title_km, stored.title_en, stored.sector) == (COMPARISON, ENTITY, MARKUP)
    services.instrument_update(
        instrument=stored, user=drafter, expected_lock_version=0, title_km=MARKUP
    )
    assert Instrument.objects.get(pk=created.pk).title_km == MARKUP
    row = services.schedule_row_add(
        instrument=instrument,
        user=drafter,
        function_km=COMPARISON,
        legal_basis=ENTITY,
        assets=MARKUP,
        from_ministry=Organisation.objects.get(code="moeys"),
        level=ScheduleRow.Level.DISTRICT,
    )
    row = ScheduleRow.objects.get(pk=row.pk)
    assert (row.function_km, row.legal_basis, row.assets) == (COMPARISON, ENTITY, MARKUP)
    version = services.version_create(instrument=instrument, user=drafter, label=ENTITY)
    assert Version.objects.get(pk=version.pk).label == ENTITY


def test_a_text_too_long_for_its_field_is_refused_and_nothing_is_written(demo, instrument, chapter):
    count = Provision.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.provision_add(
            instrument=instrument,
            user=demo["drafter"],
            kind=Provision.Kind.CHAPTER,
            heading_km="ក" * 501,
        )
    assert "heading_km" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.provision_update(
            provision=chapter,
            user=demo["drafter"],
            expected_lock_version=0,
            text_km="ក" * (services.TEXT_MAX + 1),
        )
    with pytest.raises(ValidationError):  # a version's name is refused, not cut to 255
        services.version_create(instrument=instrument, user=demo["drafter"], label="ក" * 256)
    assert Provision.objects.count() == count
    assert Provision.objects.get(pk=chapter.pk).lock_version == 0
    assert not Version.objects.filter(instrument=instrument).exists()


@pytest.mark.parametrize(
    ("typed", "shown"), [(COMPARISON, COMPARISON_SHOWN), (ENTITY, ENTITY_SHOWN)]
)
def test_a_provision_typed_on_the_page_is_kept_and_shown_escaped(
    drafter_client, instrument, article, typed, shown
):
    response = drafter_client.post(
        url("provision_edit", instrument.pk, article.pk),
        {"text_km": typed, "text_en": MARKUP, "lock_version": 0},
        **HTMX,
    )
    assert response.status_code == 200
    assert shown in plain(response.content.decode())
    stored = Provision.objects.get(pk=article.pk)
    assert (stored.text_km, stored.text_en) == (typed, MARKUP)
    page = body(drafter_client.get(url("instrument", instrument.pk)))
    assert shown in page and MARKUP_SHOWN in page
    assert "<script>alert(1)" not in page
    # The edit form gives the text back as typed (escaped in the textarea, not decoded).
    form = body(drafter_client.get(url("provision_edit", instrument.pk, article.pk), **HTMX))
    assert shown in form


def test_a_title_typed_on_the_page_is_kept_and_shown_escaped(drafter_client, demo):
    drafter_client.post(
        url("create"),
        {
            "instrument_type": InstrumentType.objects.get(code="prakas").pk,
            "title_km": COMPARISON,
            "title_en": ENTITY,
            "owning_office": Organisation.objects.get(code="dfr-fr").pk,
            "sector": "",
        },
    )
    instrument = Instrument.objects.get(title_km=COMPARISON)
    assert instrument.title_en == ENTITY
    for name in ("instrument", "details", "versions", "timeline"):
        page = body(drafter_client.get(url(name, instrument.pk)))
        assert COMPARISON_SHOWN in page, name
    page = body(drafter_client.get(url("index")))
    assert COMPARISON_SHOWN in page


def test_the_comparison_shows_changed_text_escaped(drafter_client, demo, instrument, article):
    version = services.version_create(instrument=instrument, user=demo["drafter"], label="v1")
    services.provision_update(
        provision=article,
        user=demo["drafter"],
        expected_lock_version=0,
        text_km=COMPARISON + " " + MARKUP,
    )
    page = body(drafter_client.get(url("compare", instrument.pk) + f"?a={version.pk}&b=draft"))
    assert "x&lt;y" in page and "y&gt;z" in page
    assert "&lt;script&gt;" in page and "<script>alert(1)" not in page
