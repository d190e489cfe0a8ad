"""The SQLite connection's wrapper for ids past 64 bits (``project.sqlite_ids``)."""

from types import SimpleNamespace

from django.db.backends.base.base import BaseDatabaseWrapper

from project.sqlite_ids import huge_ids_find_nothing, install


def test_a_connection_opened_during_requests_keeps_its_wrapper_and_no_request_s():
    """A connection is opened inside a request, while the request's own wrapper is on the
    list (``project.db_errors``): when each request's ends, the list is as it was, with this
    connection's wrapper still on it, however many requests the worker serves."""
    connection = SimpleNamespace(vendor="sqlite", execute_wrappers=[])

    def watch(execute, sql, params, many, context):
        return execute(sql, params, many, context)

    for _request in range(3):
        with BaseDatabaseWrapper.execute_wrapper(connection, watch):
            install(None, connection)  # connection_created, mid-request
            assert connection.execute_wrappers == [huge_ids_find_nothing, watch]
    assert connection.execute_wrappers == [huge_ids_find_nothing]


def test_other_databases_get_no_wrapper():
    connection = SimpleNamespace(vendor="postgresql", execute_wrappers=[])
    install(None, connection)
    assert connection.execute_wrappers == []
