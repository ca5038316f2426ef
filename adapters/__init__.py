"""Adapters: one module per backend, the protocol in ``base``, mutants in ``mutants``."""
