"""Shared test set-up: makes tests/ importable so test modules can use tests/fixture_env.py."""
