"""Form fields for a choice of rows, read in one query.

Django's ``ModelChoiceField`` reads its rows with ``QuerySet.iterator()``, which on
PostgreSQL is a server-side cursor: outside a transaction a cursor declared WITH HOLD,
fetched and closed, some 0.75 ms of round trips for a dozen organisations, on every page
that shows the field (the search page's filters had two). The lists these fields offer are
short (types, organisations, colleagues); these read them in one plain query.
"""

from django import forms
from django.forms.models import ModelChoiceIterator


class ListedChoiceIterator(ModelChoiceIterator):
    """Django's iterator, reading the queryset as a list rather than through a cursor."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ListedChoiceIterator
