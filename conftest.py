"""Loads the tensorcts pytest plugin for every run in this repository."""

pytest_plugins = ["harness.plugin"]
