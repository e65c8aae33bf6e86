"""A failure is logged by its type and where it broke, never by its message (it may quote a patient)."""
from __future__ import annotations

from config.logsafe import failure


def _raise(text: str) -> None:
    raise ValueError(f"The 'To' number {text} is not a valid phone number")


def test_a_failure_names_its_type_and_frames_but_not_its_message():
    number = "+336" + "12345678"  # built at run time: a frame's code line holds no value
    try:
        _raise(number)
    except ValueError as exc:
        logged = failure(exc)
    assert logged.startswith("ValueError\nTraceback") and "_raise" in logged
    assert "+33612345678" not in logged  # the frames show the code that raised, not the values it held


def test_an_exception_never_raised_is_its_type_alone():
    assert failure(KeyError("marie@example.fr")) == "KeyError"
