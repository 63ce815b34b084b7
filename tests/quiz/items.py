"""Item bodies as the bank stores them, one per kind, for the pure quiz tests."""

from __future__ import annotations

from typing import Any


def text(en: str, zh: str | None = None) -> dict[str, str]:
    return {"zh": zh or en, "en": en}


CHOICE: dict[str, Any] = {
    "id": "q-choice",
    "kind": "choice",
    "difficulty": 1,
    "prompt": text("Which number is prime?"),
    "choices": [
        {"text": "4", "why": text("4 = 2×2.")},
        {"text": "7", "correct": True, "why": text("Only 1 and 7 divide it.")},
        {"text": "9", "why": text("9 = 3×3.")},
    ],
}
MULTI: dict[str, Any] = {
    "id": "q-multi",
    "kind": "multi",
    "difficulty": 2,
    "prompt": text("Which numbers are even?"),
    "choices": [
        {"text": "2", "correct": True, "why": text("Even.")},
        {"text": "3", "why": text("Odd.")},
        {"text": "8", "correct": True, "why": text("Even.")},
    ],
}
OPEN: dict[str, Any] = {
    "id": "q-open",
    "kind": "open",
    "difficulty": 3,
    "prompt": text("Why normalise?"),
    "answer": text("It keeps activations in range."),
    "key_points": [text("scale"), text("shift"), text("statistics"), text("training speed")],
}
NUMERIC: dict[str, Any] = {
    "id": "q-numeric",
    "kind": "numeric",
    "difficulty": 2,
    "prompt": text("0.1 + 0.2?"),
    "value": 0.3,
    "tolerance": 0.001,
    "answer": text("0.3"),
}
COMPUTED: dict[str, Any] = {
    "id": "q-computed",
    "kind": "computed",
    "difficulty": 2,
    "prompt": text("Conv output size?"),
    "calculator": "conv_output_size",
    "params": {"input": 32, "kernel": 3},
}
