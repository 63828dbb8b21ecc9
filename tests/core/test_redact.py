from garrison.core.redact import redact


def test_redact_keeps_four_characters_and_the_length():
    assert redact("AKIAIOSFODNN7REALKEY") == "AKIA…[20 chars]"


def test_redact_short_values_show_nothing():
    assert redact("hunter2") == "…[7 chars]"
    assert "hunt" not in redact("hunter22")
