"""The process's fixtures, for the tests of what it announces."""

from tasks.tests.conftest import jobs  # noqa: F401 - fixture
from workflows.tests.conftest import _flow_urls_loaded, instrument  # noqa: F401 - fixtures
