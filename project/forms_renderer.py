"""Django's form renderer, with a ``<select>`` written in Python.

Django writes each option of a select through two templates (the option's, and its
attributes'): about 30 µs an option. The instrument list's filters hold some 380 options (the
department's people, organisations, years, steps), and their templates were 17 of the page's
43 ms. This renderer writes the same HTML, character for character, in a few string joins
(``tests/test_forms_renderer.py`` holds it to Django's templates). Every other widget, and a
select whose options have a template of their own, are Django's.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    """As ``django/forms/widgets/attrs.html``: ``True`` a bare name, ``False`` left out."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget: dict) -> str:
    """``django/forms/widgets/select.html`` for a select's context ``widget``."""
    parts = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            # format_html's own escaping, without its formatting: hundreds of options a page
            value = conditional_escape(str(option["value"]))
            attrs = _attrs(option["attrs"]) if option["attrs"] else ""
            label = conditional_escape(option["label"])
            parts.append(f'\n  <option value="{value}"{attrs}>{label}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE and all(
            option["template_name"] == OPTION_TEMPLATE
            for _name, options, _index in context["widget"]["optgroups"]
            for option in options
        ):
            return select_html(context["widget"])
        return super().render(template_name, context, request=request)
