"""``project.forms``'s choice fields read their rows in one plain query, each time."""

from unittest import mock

import pytest
from django.db import connection

from documents.models import InstrumentType
from organisations.models import Organisation
from search.forms import SearchForm

pytestmark = pytest.mark.django_db


def test_the_choices_are_read_without_a_server_side_cursor(demo):
    # Django's own field reads them through ``QuerySet.iterator()``, that is the connection's
    # chunked cursor: on PostgreSQL a cursor declared, fetched and closed on each page.
    with mock.patch.object(connection, "chunked_cursor", side_effect=AssertionError("cursor")):
        html = str(SearchForm()["organisation"])
    assert Organisation.objects.get(code="mef").name in html


def test_the_choices_are_read_again_for_each_form(demo):
    before = str(SearchForm()["organisation"])
    Organisation.objects.create(code="mlmupc", name_km="ក្រសួងរៀបចំដែនដី", name_en="MLMUPC")
    assert "ក្រសួងរៀបចំដែនដី" not in before
    assert "ក្រសួងរៀបចំដែនដី" in str(SearchForm()["organisation"])


def test_the_inbox_filter_reads_its_types_without_a_cursor_and_offers_them(demo):
    from workflows.viewsets import UserTaskListFilter

    with mock.patch.object(connection, "chunked_cursor", side_effect=AssertionError("cursor")):
        html = str(UserTaskListFilter({}).form["instrument_type"])
    type_ = InstrumentType.objects.order_by("pk").first()
    assert f'value="{type_.pk}"' in html
    assert type_.name in html
