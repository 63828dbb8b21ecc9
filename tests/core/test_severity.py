import pytest

from garrison.core.errors import InputError
from garrison.core.severity import Confidence, Severity


def test_severities_are_ordered():
    assert Severity.INFO < Severity.LOW < Severity.MEDIUM < Severity.HIGH < Severity.CRITICAL
    assert sorted([Severity.HIGH, Severity.INFO, Severity.CRITICAL]) == [
        Severity.INFO,
        Severity.HIGH,
        Severity.CRITICAL,
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("high", Severity.HIGH),
        ("CRITICAL", Severity.CRITICAL),
        (" Moderate ", Severity.MEDIUM),
        ("note", Severity.INFO),
    ],
)
def test_parse_names_and_synonyms(text, expected):
    assert Severity.parse(text) is expected


def test_parse_rejects_unknown_names_with_the_field():
    with pytest.raises(InputError, match=r"--fail-on: unknown severity 'hgh'"):
        Severity.parse("hgh", where="--fail-on")


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (9.8, Severity.CRITICAL),
        (9.0, Severity.CRITICAL),
        (7.5, Severity.HIGH),
        (4.0, Severity.MEDIUM),
        (0.1, Severity.LOW),
        (0.0, Severity.INFO),
    ],
)
def test_cvss_buckets(score, expected):
    assert Severity.from_cvss(score) is expected


def test_confidence_parse():
    assert Confidence.parse("Medium") is Confidence.MEDIUM
    with pytest.raises(InputError):
        Confidence.parse("sure")
