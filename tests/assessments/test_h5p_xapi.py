"""The pure parts of H5P results: statement checks, durations, byte ranges (no database)."""

import pytest

from assessments.h5p.files import _byte_range, content_type
from assessments.h5p.xapi import StatementError, clean_statement, parse_duration

IRI = "https://learn.example.mn/h5p/activities/7"
MBOX = "mailto:learner@example.mn"


def test_durations_as_h5p_writes_them():
    assert parse_duration("PT12.34S") == pytest.approx(12.34)
    assert parse_duration("PT1M5S") == 65
    assert parse_duration("PT1H0M1S") == 3601
    assert parse_duration("P1DT1S") == 86401
    assert parse_duration(None) is None
    for bad in ("12", "PT", "P", "PTxS", "PT-1S", 5):
        with pytest.raises(StatementError):
            parse_duration(bad)


def test_a_child_statement_names_its_question_and_parent():
    clean = clean_statement(
        {
            "actor": {"mbox": MBOX},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "object": {
                "id": f"{IRI}?subContentId=2f1b-9c",
                "definition": {"description": {"en-US": "2 + 3 ="}, "interactionType": "choice"},
            },
            "context": {"contextActivities": {"parent": [{"id": IRI}]}},
            "result": {"score": {"raw": 1, "max": 1, "min": 0, "scaled": 1}, "response": "2"},
        },
        iri=IRI,
        learner_mbox=MBOX,
    )
    assert clean.sub_content_id == "2f1b-9c" and clean.has_parent and not clean.top_level
    assert clean.ending == "answered" and clean.question == "2 + 3 =" and clean.response == "2"
    assert clean.score.graded


@pytest.mark.parametrize(
    "statement",
    [
        [],
        {"verb": {"id": ""}, "object": {"id": IRI}},
        {"verb": {"id": "x"}, "object": {"id": IRI + "x"}},
        {"verb": {"id": "x"}, "object": {"id": IRI + "?subContentId=../../x"}},
        {"verb": {"id": "x"}, "object": {"id": IRI}, "result": {"score": {"raw": True, "max": 1}}},
        {"verb": {"id": "x"}, "object": {"id": IRI}, "result": {"score": {"raw": float("nan"), "max": 1}}},
        {"verb": {"id": "x"}, "object": {"id": IRI}, "result": {"score": {"raw": 1, "max": -1}}},
        {"verb": {"id": "x"}, "object": {"id": IRI}, "result": {"success": "yes"}},
        {
            "verb": {"id": "x"},
            "object": {"id": IRI},
            "context": {"contextActivities": {"parent": [{"id": "e"}]}},
        },
        {"verb": {"id": "x"}, "object": {"id": IRI}, "actor": {"account": {"name": "9"}}},
    ],
)
def test_statements_that_are_refused(statement):
    with pytest.raises(StatementError):
        clean_statement(statement, iri=IRI, learner_mbox=MBOX)


def test_byte_ranges():
    assert _byte_range("bytes=0-9", 100) == (0, 9)
    assert _byte_range("bytes=90-", 100) == (90, 99)
    assert _byte_range("bytes=-10", 100) == (90, 99)
    assert _byte_range("bytes=50-500", 100) == (50, 99)
    assert _byte_range("bytes=100-", 100) is False
    assert _byte_range("bytes=-0", 100) is False
    assert _byte_range("bytes=0-1,5-6", 100) is None  # several ranges: the whole file
    assert _byte_range("items=0-1", 100) is None
    assert _byte_range("bytes=9-2", 100) is None


def test_content_types():
    assert content_type("video.mp4") == "video/mp4"
    assert content_type("a.MP3") == "audio/mpeg"
    assert content_type("x.js").startswith("text/javascript")
    assert content_type("x.unknown") == "application/octet-stream"
    assert content_type("README") == "application/octet-stream"
