"""Small OHMS documents with invented people, for the import tests."""

from xml.sax.saxutils import escape

NS = "https://www.weareavp.com/nunncenter/ohms"
INTERVIEWEE = "Ri Sun-hee"  # invented


def point(time, title="A point", synopsis="", partial="", keywords="", subjects=""):
    return (
        f"<point><time>{time}</time><title>{escape(title)}</title>"
        f"<partial_transcript>{escape(partial)}</partial_transcript>"
        f"<synopsis>{escape(synopsis)}</synopsis><keywords>{escape(keywords)}</keywords>"
        f"<subjects>{escape(subjects)}</subjects></point>"
    )


def ohms(
    *,
    record_id="T-100",
    title="Work abroad, first session",
    interviewee=INTERVIEWEE,
    interviewer="An Invented Interviewer",
    description="",
    duration="0:30:00",
    language="Korean",
    date="2019-05-02",
    points=(),
    transcript="",
    vtt=None,
    userestrict="0",
):
    body = "".join(points)
    transcript_xml = (
        f"<vtt_transcript><![CDATA[{vtt}]]></vtt_transcript>"
        if vtt is not None
        else f"<transcript>{escape(transcript)}</transcript>"
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ROOT xmlns="{NS}"><record id="{record_id}">'
        f'<version>5.4</version><date value="{date}" format="yyyy-mm-dd"/>'
        f"<title>{escape(title)}</title><duration>{duration}</duration>"
        f"<interviewee>{escape(interviewee)}</interviewee>"
        f"<interviewer>{escape(interviewer)}</interviewer><language>{language}</language>"
        f"<index>{body}</index><description>{escape(description)}</description>"
        f"{transcript_xml}<userestrict>{userestrict}</userestrict></record></ROOT>"
    ).encode()
