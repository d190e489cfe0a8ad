"""Dates and whole numbers typed on a Khmer keyboard: read by the server, shown day first."""

import re
from datetime import date

import pytest
import time_machine
from django import forms
from django.utils.translation import override

from khmer.forms import DateField, IntegerField, MonthField, parse_date, parse_integer
from khmer.templatetags.khmer import kmlist_rows


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("១២", 12),
        ("12", 12),
        (" ២៥០០០០០០០ ", 250_000_000),
        ("១.២៣៤.៥៦៧", 1_234_567),
        ("1,234,567", 1_234_567),
        ("1 234 567", 1_234_567),
        ("១២3", 123),
        ("", None),
    ],
)
def test_whole_numbers_are_read_in_khmer_and_western_digits(typed, value):
    assert parse_integer(typed) == value


@pytest.mark.parametrize("typed", ["1.5", "១,២", "-3", "12a", "1.234,567", "1,23", "១២ ៣"])
def test_a_number_that_is_not_a_whole_number_is_refused_not_guessed(typed):
    with pytest.raises(ValueError):
        parse_integer(typed)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("២៥/១១/២០២៦", date(2026, 11, 25)),
        ("25/11/2026", date(2026, 11, 25)),
        ("៥/១/២០២៧", date(2027, 1, 5)),
        ("05-01-2027", date(2027, 1, 5)),
        ("05.01.2027", date(2027, 1, 5)),
        ("2027-01-05", date(2027, 1, 5)),
        ("២០២៧-០១-០៥", date(2027, 1, 5)),
        ("", None),
    ],
)
def test_dates_are_read_day_first_in_either_digits(typed, value):
    assert parse_date(typed) == value


@pytest.mark.parametrize("typed", ["31/02/2026", "11/25/2026", "25/11/26", "tomorrow", "2026"])
def test_a_date_that_does_not_exist_or_is_not_day_first_is_refused(typed):
    with pytest.raises(ValueError):
        parse_date(typed)


class _Form(forms.Form):
    budget = IntegerField(label="budget", min_value=0)
    on = DateField(label="on")


def test_a_form_takes_khmer_digits_and_says_what_is_wrong_in_the_readers_language():
    form = _Form({"budget": "១២", "on": "២៥/១១/២០២៦"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"budget": 12, "on": date(2026, 11, 25)}

    with override("km"):
        form = _Form({"budget": "១២x", "on": "៣១/០២/២០២៦"})
        assert not form.is_valid()
        assert form.errors["budget"] == ["សូមវាយចំនួនគត់ ជាលេខខ្មែរ ឬលេខឡាតាំង (ឧទាហរណ៍ ១២ ឬ 12)។"]
        assert "ថ្ងៃ/ខែ/ឆ្នាំ" in form.errors["on"][0]
    with override("en"):
        form = _Form({"budget": "-៥", "on": "x"})
        assert not form.is_valid()
        assert "whole number" in form.errors["budget"][0]
        assert "day/month/year" in form.errors["on"][0]


class _Days(forms.Form):
    days = IntegerField(label="days", min_value=1, max_value=120)


def test_a_number_out_of_range_is_told_its_limit_in_the_readers_digits():
    with override("km"):
        low, high = _Days({"days": "០"}), _Days({"days": "១៥០"})
        assert not low.is_valid() and not high.is_valid()
        [too_few], [too_many] = low.errors["days"], high.errors["days"]
    assert "១" in too_few and "១២០" in too_many
    assert not any(digit in too_few + too_many for digit in "0123456789"), (too_few, too_many)
    with override("en"):
        high = _Days({"days": "150"})
        assert not high.is_valid()
        assert high.errors["days"] == ["Ensure this value is less than or equal to 120."]
    assert _Days({"days": "១២០"}).is_valid()


def test_the_inputs_are_text_inputs_showing_khmer_digits_in_khmer():
    form = _Form(initial={"budget": 1500, "on": date(2026, 12, 2)})
    with override("km"):
        budget, on = str(form["budget"]), str(form["on"])
    assert 'type="text"' in budget and 'inputmode="numeric"' in budget
    assert 'value="១៥០០"' in budget
    assert "min=" not in budget  # the server says what is out of range, not the browser
    assert 'type="text"' in on and 'value="០២/១២/២០២៦"' in on
    assert 'placeholder="ថ្ងៃ/ខែ/ឆ្នាំ"' in on
    with override("en"):
        assert 'value="02/12/2026"' in str(form["on"])
        assert 'placeholder="dd/mm/yyyy"' in str(form["on"])


def test_a_refused_value_is_shown_back_as_it_was_typed():
    form = _Form({"budget": "១២x", "on": "៣១/០២/២០២៦"})
    assert not form.is_valid()
    with override("km"):
        assert 'value="១២x"' in str(form["budget"])
        assert 'value="៣១/០២/២០២៦"' in str(form["on"])


def test_khmer_script_is_recognised_in_any_text():
    from khmer.text import is_khmer_text

    assert is_khmer_text("លេខ {number} អនក.បក") and is_khmer_text("No. ១")
    assert not is_khmer_text("No. {number}/2026") and not is_khmer_text("")


class _Column:
    def __init__(self, attr_name, raw):
        self.attr_name, self.raw = attr_name, raw
        self.reads = 0

    def get_value(self, obj):
        self.reads += 1
        return self.raw


class _ListView:
    """What a viewflow list gives its template: its columns, and its formatting of a value."""

    def __init__(self, *columns):
        self.list_columns = {column.attr_name: column for column in columns}

    def format_value(self, obj, column, value):
        return value


def _cells(*columns):
    [(_obj, row)] = kmlist_rows([object()], _ListView(*columns))
    return [value for _column, value in row]


def test_viewflow_list_cells_give_dates_ids_and_times_in_the_readers_language():
    from datetime import UTC, datetime

    from django.utils.safestring import SafeData, mark_safe

    link = mark_safe('<a href="/workflow/flows/approval/3/review/27/">#3/27</a>')
    when = datetime(2026, 12, 2, 11, 49, tzinfo=UTC)
    with override("km"):
        [cell] = _cells(_Column("task_id", link))
        assert cell == '<a href="/workflow/flows/approval/3/review/27/">#៣/២៧</a>'
        assert isinstance(cell, SafeData)  # the link stays a link
        assert _cells(_Column("created", when), _Column("age", "2\xa0នាទី")) == [
            "ថ្ងៃទី២ ខែធ្នូ ឆ្នាំ២០២៦ ម៉ោង ១៨:៤៩",
            "២\xa0នាទី",
        ]
        # A typed brief keeps its digits as typed.
        assert _cells(_Column("brief", "អនុក្រឹត្យលេខ 12")) == ["អនុក្រឹត្យលេខ 12"]
    with override("en"):
        assert _cells(_Column("task_id", link), _Column("created", when)) == [
            link,
            "2 December 2026, 18:49",
        ]


def test_viewflow_list_cells_read_each_value_once():
    """A cell's value may be a link's reverse or a ``timesince``: read once, not once to
    format and once more to write in Khmer."""
    columns = [_Column("task_id", "#3/27"), _Column("created", "2")]
    [(_obj, _row)] = kmlist_rows([object()], _ListView(*columns))
    assert [column.reads for column in columns] == [1, 1]


class _Month(forms.Form):
    month = MonthField(label="month", required=False, empty_label="—")


def test_a_month_is_chosen_by_its_name_in_the_readers_language():
    with time_machine.travel("2026-12-15 10:00 +07:00", tick=False):
        with override("km"):
            html = str(_Month({"month": "2026-11"})["month"])
        with override("en"):
            english = str(_Month({"month": "2009-03"})["month"])
        form = _Month({"month": "២០២៦-១១"})
        assert form.is_valid() and form.cleaned_data["month"] == date(2026, 11, 1)
        assert not _Month({"month": "2026-13"}).is_valid()
    assert "<select" in html and 'type="month"' not in html
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
    assert options[0] == ("", "", "—")
    assert options[1] == ("2026-12", "", "ខែធ្នូ ឆ្នាំ២០២៦")
    assert ("2026-11", " selected", "ខែវិច្ឆិកា ឆ្នាំ២០២៦") in options
    assert len(options) == 1 + 120 and options[-1][0] == "2017-01"
    assert not any(re.search("[0-9]", label) for _value, _selected, label in options)
    # In English, and a month from further back (a link's) is offered too, chosen.
    assert '<option value="2026-12">December 2026</option>' in english
    assert '<option value="2009-03" selected>March 2009</option>' in english
