"""No module of the service takes part in an import cycle (lint-imports checks packages; this checks modules).

The layers contract in pyproject.toml keeps routes > deps > services > jobs > settings one way;
this test catches a cycle anywhere else in app/, e.g. between two modules of a new package.
"""

import grimp


def cycles(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    """Every direct import a -> b for which b also reaches a (each cycle shows up once per edge)."""
    return [(importer, imported) for importer in sorted(graph.modules)
            for imported in sorted(graph.find_modules_directly_imported_by(importer))
            if graph.chain_exists(importer=imported, imported=importer)]


def test_the_check_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    graph.add_import(importer="app.services", imported="app.jobs.celery_app")
    graph.add_import(importer="app.jobs.celery_app", imported="app.jobs.factory")
    graph.add_import(importer="app.jobs.celery_app", imported="app.services")
    assert cycles(graph) == [("app.jobs.celery_app", "app.services"), ("app.services", "app.jobs.celery_app")]


def test_app_has_no_import_cycle() -> None:
    graph = grimp.build_graph("app")
    assert {"app.services", "app.jobs.celery_app", "app.jobs.factory"} <= graph.modules
    assert cycles(graph) == []
