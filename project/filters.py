"""django-filter's choice of rows, read in one query as ``project.forms``'s fields are.

django-filter's ``ModelChoiceFilter`` builds its own field, whose iterator adds the "none"
choice to Django's, and Django's reads the rows through a server-side cursor on
PostgreSQL (see ``project.forms``).
"""

from django_filters import ModelChoiceFilter
from django_filters import fields as filter_fields

from project.forms import ListedChoiceIterator


class ListedFilterChoiceIterator(filter_fields.ModelChoiceIterator, ListedChoiceIterator):
    """django-filter's iterator (the "none" choice after the empty one) over a list."""


class ListedFilterChoiceField(filter_fields.ModelChoiceField):
    iterator = ListedFilterChoiceIterator


class ListedModelChoiceFilter(ModelChoiceFilter):
    field_class = ListedFilterChoiceField
