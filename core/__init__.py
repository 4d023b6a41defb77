"""Shared helpers, below every app: in-place editing, ordering, fragment
caching and version stamps, form widgets. Imports no app of the project."""
