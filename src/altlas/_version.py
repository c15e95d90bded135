"""The package version, kept in one place (a test checks it against the installed metadata)."""

__version__ = "0.1.0"
