"""The property suite a framework's CI can run: `pytest --pyargs harness.suite`.

Fixtures and options come from the `convharness` pytest plugin (harness/pytest_plugin.py).
"""
