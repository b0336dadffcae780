"""Reading OAI-PMH answers in tests, and checking them against the protocol's structure."""

import re
import xml.etree.ElementTree as ET

OAI = "{http://www.openarchives.org/OAI/2.0/}"
OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"
DC = "{http://purl.org/dc/elements/1.1/}"
VERBS = {
    "Identify",
    "ListMetadataFormats",
    "ListSets",
    "ListIdentifiers",
    "ListRecords",
    "GetRecord",
}
ERROR_CODES = {
    "badArgument",
    "badResumptionToken",
    "badVerb",
    "cannotDisseminateFormat",
    "idDoesNotExist",
    "noRecordsMatch",
    "noMetadataFormats",
    "noSetHierarchy",
}
UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
IDENTIFIER = re.compile(
    r"^oai:[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+:(excerpt|testimony):[a-z0-9]+$"
)
SET_SPEC = re.compile(r"^([A-Za-z0-9\-_\.!~\*'\(\)])+(:[A-Za-z0-9\-_\.!~\*'\(\)]+)*$")
DC_NAMES = {
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
}


def check_header(header):
    children = [c.tag for c in header]
    assert children[:2] == [OAI + "identifier", OAI + "datestamp"], children
    assert all(tag == OAI + "setSpec" for tag in children[2:]), children
    assert IDENTIFIER.match(header.find(OAI + "identifier").text)
    assert UTC.match(header.find(OAI + "datestamp").text)
    for spec in header.findall(OAI + "setSpec"):
        assert SET_SPEC.match(spec.text), spec.text
    assert set(header.attrib) <= {"status"}
    assert header.get("status") in (None, "deleted")


def check_record(record):
    children = list(record)
    assert children and children[0].tag == OAI + "header"
    check_header(children[0])
    if children[0].get("status") == "deleted":
        assert len(children) == 1, "a deleted record has its header only"
        return
    assert [c.tag for c in children] == [OAI + "header", OAI + "metadata"]
    (dc,) = list(children[1])
    assert dc.tag == OAI_DC + "dc"
    for element in dc:
        assert element.tag.startswith(DC) and element.tag[len(DC) :] in DC_NAMES


def check_response(root):
    """The OAI-PMH response structure (OAI-PMH.xsd): root, responseDate, request, then either
    errors or one element named after the verb, with well-formed headers and records."""
    assert root.tag == OAI + "OAI-PMH"
    children = list(root)
    assert children[0].tag == OAI + "responseDate" and UTC.match(children[0].text)
    assert children[1].tag == OAI + "request" and children[1].text.startswith("http")
    rest = children[2:]
    assert rest, "a response has errors or a verb element"
    if rest[0].tag == OAI + "error":
        assert all(e.tag == OAI + "error" and e.get("code") in ERROR_CODES for e in rest)
        return
    assert len(rest) == 1 and rest[0].tag[len(OAI) :] in VERBS
    body = rest[0]
    assert body.tag[len(OAI) :] == children[1].get("verb", body.tag[len(OAI) :])
    for record in body.iter(OAI + "record"):
        check_record(record)
    if body.tag == OAI + "ListIdentifiers":
        for header in body.findall(OAI + "header"):
            check_header(header)
    tokens = body.findall(OAI + "resumptionToken")
    assert len(tokens) <= 1
    if tokens:
        assert body[-1] is tokens[0], "the resumptionToken comes last"


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own server's answer)
    check_response(root)
    return root


def error_codes(root):
    return [e.get("code") for e in root.findall(OAI + "error")]
