"""Offline tools that run the suites from outside: rule coverage, the conformance matrix,
mutant kills, cross-kill tables and flake checks. Installed as ``tensorcts.tools``."""
