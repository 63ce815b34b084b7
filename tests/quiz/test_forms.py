"""Quiz form fields → answers: one vocabulary for one-question and whole-quiz pages (issue 7)."""

from __future__ import annotations

from starlette.datastructures import FormData

from app.quiz import forms
from app.quiz.present import Response


def test_fields_are_read_per_question() -> None:
    form = FormData(
        [
            ("pos", "0"),
            ("pos", "3"),
            ("pos", "3"),
            ("q0-choice", "2"),
            ("q0-choice", "0"),
            ("q3-answer", "0.3"),
            ("q3-points", "1"),
            ("q3-ms", "1500"),
            ("q0-ms", "soon"),
        ]
    )
    assert forms.positions(form) == [0, 3]
    assert forms.answers(form, [0, 3]) == {
        0: Response(choice=[2, 0]),
        3: Response(text="0.3", points=[1]),
    }
    assert forms.durations(form, [0, 3]) == {0: None, 3: 1500}


def test_malformed_and_out_of_range_values_are_ignored() -> None:
    form = FormData([("pos", "-1"), ("pos", "99"), ("pos", "x"), ("q1-choice", "21"), ("q1-choice", "a")])
    assert forms.positions(form) == []
    assert forms.answers(form, [1]) == {1: Response()}


def test_elapsed_time_prefers_the_browser_measurement() -> None:
    assert forms.elapsed_ms(1200, 1_000, 9_000) == 1200
    assert forms.elapsed_ms(None, 1_000, 9_000) == 8000
    assert forms.elapsed_ms(None, None, 9_000) is None
    assert forms.elapsed_ms(None, 10_000, 9_000) == 0  # a clock running backwards is not negative time
