"""The apps depend one way (README, Architecture): the layers contract holds, and the graph it
is checked on sees the imports written inside functions too."""

import grimp
import pytest
from django.conf import settings
from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

LAYERS = [
    "api",
    "oversight",
    "search",
    "workflows",
    "tasks",
    "notifications",
    "documents",
    "organisations",
    "khmer",
]


@pytest.fixture(scope="module")
def graph():
    """The import graph of the apps, their tests left out (tests may import anything)."""
    graph = grimp.build_graph(*LAYERS, include_external_packages=False)
    for module in list(graph.modules):
        if ".tests" in module:
            graph.remove_module(module)
    return graph


def test_the_layers_contract_is_kept():
    configure()
    config = str(settings.BASE_DIR / "pyproject.toml")  # the contract `make lint` checks
    assert lint_imports(config_filename=config, cache_dir=None, no_logo=True) is True


def test_the_graph_sees_imports_inside_functions(graph):
    # workflows.driving imports the flow inside ``_node`` only.
    details = graph.get_import_details(importer="workflows.driving", imported="workflows.flows")
    assert details, "a function-level import is missing from the graph"


@pytest.mark.parametrize(
    ("lower", "higher"),
    [(LAYERS[i], LAYERS[j]) for i in range(len(LAYERS)) for j in range(i)],
)
def test_no_app_reaches_an_app_above_it(graph, lower, higher):
    chain = graph.find_shortest_chain(importer=lower, imported=higher, as_packages=True)
    assert chain is None, f"{lower} reaches {higher} through {' -> '.join(chain)}"
