"""The deepprep command line (issue 2, issue 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main


def test_check_passes_on_a_good_bank(bank_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(bank_dir)]) == 0
    assert "OK — 2 topics, 5 items" in capsys.readouterr().out


def test_check_lists_every_error_with_file_and_line(
    bank_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = bank_dir / "basics.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("difficulty: 1", "difficulty: 0").replace("correct: true", "correct: false", 1)
    )
    assert main(["check", str(bank_dir)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "questions/basics.yaml:6: items[0].difficulty: input should be greater than or equal to 1 (got 0)",
        "questions/basics.yaml:10: items[0].choices: expected exactly one correct option in a 'choice' item, "
        "found 0 (use kind: multi for several)",
        f"2 problem(s) found in {bank_dir}",
    ]


def test_import_syncs_into_the_configured_database(
    bank_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DEEPPREP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DEEPPREP_QUESTIONS_DIR", str(bank_dir))
    assert main(["import"]) == 0
    assert "5 added" in capsys.readouterr().out
    assert (tmp_path / "data" / "deepprep.db").exists()
    assert main(["import"]) == 0
    assert "5 unchanged" in capsys.readouterr().out


def test_import_refuses_a_broken_bank(
    bank_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DEEPPREP_DATA_DIR", str(tmp_path / "data"))
    (bank_dir / "broken.yaml").write_text("topic: [\n", encoding="utf-8")
    assert main(["import", str(bank_dir)]) == 1
    assert "import refused: the database was not changed" in capsys.readouterr().err


def test_explain_prints_the_worked_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "explain",
                "conv_output_size",
                "input=224",
                "kernel=7",
                "stride=2",
                "padding=3",
                "--json",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["answer"] == [112, 112]
    assert all(check["passed"] for check in result["checks"])


def test_explain_rejects_bad_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "conv_output_size", "input=3", "kernel=7"]) == 2
    assert "kernel" in capsys.readouterr().err
