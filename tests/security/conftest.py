"""The process fixtures of ``workflows/tests`` (an instrument, viewflow's URLs loaded)."""

from workflows.tests.conftest import _flow_urls_loaded, instrument  # noqa: F401
