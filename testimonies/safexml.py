"""Parsing XML from outside the archive (OHMS files and the like) safely.

`parse_xml()` uses defusedxml: a document that declares entities (the "billion laughs"
expansion), refers to external entities or has a document type declaration at all (OHMS files
need none; `forbid_dtd=False` allows an inert one) is refused before anything is expanded or
fetched, with an `UnsafeXMLError` saying so; a document that is not well-formed
raises `InvalidXMLError` with the line and column. Both are `XMLImportError`, a ValueError.
"""

import defusedxml.ElementTree as DefusedET
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


class XMLImportError(ValueError):
    """The XML cannot be used; the message says what and where. Nothing was read from it."""

    def __init__(self, message, source=None):
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class UnsafeXMLError(XMLImportError):
    pass


class InvalidXMLError(XMLImportError):
    pass


def parse_xml(data, *, source=None, max_bytes=DEFAULT_MAX_BYTES, forbid_dtd=True):
    """The root element of `data` (bytes or str). `source` names the file in messages."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes | bytearray):
        raise TypeError("parse_xml() takes bytes or str")
    if len(data) > max_bytes:
        raise InvalidXMLError(
            f"the file is {len(data):,} bytes, more than the {max_bytes:,} allowed", source
        )
    if not data.strip():
        raise InvalidXMLError("the file is empty", source)
    try:
        return DefusedET.fromstring(
            bytes(data), forbid_dtd=forbid_dtd, forbid_entities=True, forbid_external=True
        )
    except EntitiesForbidden as exc:
        raise UnsafeXMLError(
            f"the file declares an entity ({exc.name!r}); entity declarations are refused "
            "because they can expand without bound or read other files",
            source,
        ) from exc
    except ExternalReferenceForbidden as exc:
        raise UnsafeXMLError(
            f"the file refers to an external resource ({exc.sysid or exc.pubid!r}); "
            "external references are refused",
            source,
        ) from exc
    except DTDForbidden as exc:
        raise UnsafeXMLError("the file has a document type declaration (DTD)", source) from exc
    except DefusedXmlException as exc:
        raise UnsafeXMLError(
            f"the file uses an XML feature that is refused: {exc}", source
        ) from exc
    except DefusedET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        where = f" at line {line}, column {column + 1}" if line is not None else ""
        raise InvalidXMLError(f"the file is not well-formed XML{where}", source) from exc
