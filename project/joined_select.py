"""One SELECT over rows joined on their foreign keys, written once from the models' metadata.

For the few reads on a hot path where building the ORM's query costs more than running it:
the worker's claim of a reminder (thousands a minute at a deadline). A ``select_related``
over five or six tables spent about a millisecond compiling its SQL and converters for a
query that runs in a third of that. (The read of the task that begins every step went back
to the ORM: it must come after the process lock, in a statement of its own, see
``workflows.services.task_activation``, and then needs no lock clause.)

Here the SQL and each column's converters are built once per process and database
vendor, and each row comes back as model instances, converted as the ORM would.

Everything else goes through the ORM.
"""

from django.apps import apps
from django.db import connection


class JoinedSelect:
    """``tables``: ``(model, alias, join)`` in order, the first with ``join=None``. ``model`` is
    a model or ``"app_label.Model"``; for a model with a parent table (multi-table
    inheritance) ``alias`` maps each table's model to its alias, and ``join`` joins both.
    ``join`` is SQL with ``{table}`` for the model's own table."""

    def __init__(self, *tables):
        self._tables = tables
        self._built: dict[str, tuple[str, str, list]] = {}

    def _build(self) -> tuple[str, str, list]:
        vendor = connection.vendor
        if vendor not in self._built:
            quote = connection.ops.quote_name
            columns, joins, layout = [], [], []
            for model, alias, join in self._tables:
                model = apps.get_model(model) if isinstance(model, str) else model
                aliases = alias if isinstance(alias, dict) else {model: alias}
                fields = model._meta.concrete_fields
                for field in fields:
                    columns.append(f"{aliases[field.model]}.{quote(field.column)}")
                if join:
                    joins.append(join.format(table=quote(model._meta.db_table)))
                converters = []
                for field in fields:
                    column = field.get_col(field.model._meta.db_table)
                    converters.append(
                        (
                            column,
                            connection.ops.get_db_converters(column)
                            + field.get_db_converters(connection),
                        )
                    )
                layout.append((model, [field.attname for field in fields], converters))
            self._built[vendor] = (", ".join(columns), " ".join(joins), layout)
        return self._built[vendor]

    def sql(self, source: str | None = None) -> str:
        """``SELECT <every column> FROM <first table, or source> <alias> <joins>``: add the
        WHERE clause (and any locking clause) yourself."""
        columns, joins, _layout = self._build()
        model, alias, _join = self._tables[0]
        model = apps.get_model(model) if isinstance(model, str) else model
        source = source or connection.ops.quote_name(model._meta.db_table)
        # Quoted names from the models' metadata: no value is written into the SQL.
        return f"SELECT {columns} FROM {source} {alias} {joins}"  # noqa: S608

    def instances(self, row) -> list:
        """One instance per table for ``row``, None where a LEFT JOIN found nothing."""
        _columns, _joins, layout = self._build()
        instances, start = [], 0
        for model, attnames, converters in layout:
            values = list(row[start : start + len(attnames)])
            start += len(attnames)
            if values[0] is None:
                instances.append(None)
                continue
            for index, (column, functions) in enumerate(converters):
                for convert in functions:
                    values[index] = convert(values[index], column, connection)
            instances.append(model.from_db(connection.alias, attnames, values))
        return instances
