"""On SQLite (``make run``), an id past 64 bits finds nothing, as on PostgreSQL.

Python's sqlite3 cannot bind an integer past 64 bits: it raises ``OverflowError``, and a
crafted address (``/process/99999999999999999999/``) answered 500 where PostgreSQL finds no
row. Django's lookups on a primary key already answer nothing for such a number, but not a
foreign key's (a multi-table process's key is one). In a SELECT, such a number is bound as the
real number it is: no stored integer equals it, and comparisons keep their order. A write
still refuses it.
"""

INT64 = range(-(2**63), 2**63)


def _bindable(value):
    if type(value) is int and value not in INT64:
        return float(value)
    return value


def huge_ids_find_nothing(execute, sql, params, many, context):
    """An execute wrapper: a SELECT's integers past 64 bits bound as reals."""
    selects = str(sql).lstrip()[:6].upper() == "SELECT"
    if selects and params and not many and isinstance(params, list | tuple):
        params = type(params)(_bindable(value) for value in params)
    return execute(sql, params, many, context)


def install(sender, connection, **kwargs):
    """``connection_created`` receiver: every SQLite connection gets the wrapper, once.

    First in the list, not last: a connection is often opened inside a request, while
    ``connection.execute_wrapper(...)`` (``project.db_errors``' watch) is on the list, and
    that context pops the list's last wrapper when it ends. Appended, this one was popped in
    its place, and each request left its watch behind: after a few hundred requests, a
    worker answered every page with a RecursionError."""
    if connection.vendor == "sqlite" and huge_ids_find_nothing not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, huge_ids_find_nothing)
