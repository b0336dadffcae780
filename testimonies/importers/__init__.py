"""Imports from other archives' formats: OHMS XML, WebVTT transcripts and CSV excerpt lists.

Each builds an interchange document and passes it through
`testimonies.interchange.import_document`, so every import validates everything first, writes
in one transaction or not at all, and is idempotent by key.
"""

from .common import ArchiveImportError, Outcome, Problem, ThemeMap

__all__ = ["ArchiveImportError", "Outcome", "Problem", "ThemeMap"]
