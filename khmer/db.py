"""Khmer in the database: dictionary order.

PostgreSQL orders Khmer by ICU's collation (``km-x-icu``, one of the collations PostgreSQL
creates from ICU), the order ``khmer.formats.sorted_khmer`` gives in Python. SQLite, the
embedded database of ``make run``, has no ICU: there the text sorts by code point, which
puts most Khmer words in dictionary order but not all (independent vowels, for one).
"""

from django.db.models import F, OrderBy
from django.db.models.functions import Collate

KHMER_COLLATION = "km-x-icu"


class KhmerCollate(Collate):
    """``expression COLLATE "km-x-icu"`` on PostgreSQL; the plain expression elsewhere."""

    def __init__(self, expression):
        super().__init__(
            F(expression) if isinstance(expression, str) else expression, KHMER_COLLATION
        )

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            return compiler.compile(self.get_source_expressions()[0])
        return super().as_sql(compiler, connection, **extra_context)


def khmer_order(field: str, *, descending: bool = False) -> OrderBy:
    """An ``order_by`` term putting ``field`` in Khmer dictionary order."""
    return OrderBy(KhmerCollate(field), descending=descending)
