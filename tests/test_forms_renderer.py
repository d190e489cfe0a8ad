"""A select written by ``project.forms_renderer`` is the HTML Django's templates write."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from project.forms_renderer import FormRenderer


class Filters(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "ណាមួយ"), ("draft", "សេចក្ដីព្រាង"), ("a&b", '<b>"quoted"</b>')],
    )
    grouped = forms.ChoiceField(
        choices=[("ក្រសួង", [(1, "ក្រសួងមហាផ្ទៃ"), (2, "ក្រសួងសុខាភិបាល")]), ("", "គ្មាន")],
    )
    many = forms.MultipleChoiceField(
        choices=[(2026, 2026), (2025, 2025), (None, "none")],
        widget=forms.SelectMultiple(attrs={"data-x": 'a"b', "disabled": True, "hidden": False}),
    )
    answer = forms.NullBooleanField(widget=forms.NullBooleanSelect)
    safe_label = forms.ChoiceField(choices=[("s", mark_safe("<i>kept</i>"))])


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"status": "a&b", "grouped": "2", "many": ["2026", "None"], "answer": "true"},
        {"status": "unknown", "grouped": "", "many": ["2025"], "answer": "false"},
    ],
)
def test_each_select_is_what_djangos_templates_write(data):
    ours, djangos = FormRenderer(), DjangoTemplates()
    for name in Filters.base_fields:
        expected = str(Filters(data or None, renderer=djangos)[name])
        assert str(Filters(data or None, renderer=ours)[name]) == expected, name


def test_a_select_whose_options_have_their_own_template_is_djangos():
    class Starred(forms.Select):
        option_template_name = "django/forms/widgets/input.html"

    class Form(forms.Form):
        star = forms.ChoiceField(choices=[("a", "A")], widget=Starred)

    ours, djangos = Form(renderer=FormRenderer()), Form(renderer=DjangoTemplates())
    assert str(ours["star"]) == str(djangos["star"])


def test_the_project_renders_its_forms_with_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
