"""The deadline file format: import, re-import, prune, located errors, the sample file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from handlers.deadlines.spec import DeadlineFileError, Known, parse_file

SAMPLE = Path(__file__).parent.parent / "knowledge" / "deadlines" / "354-CV-TU.toml"
GOOD = """[[deadline]]
id = "bao-cao-quy"
title = "Báo cáo quý"
recurrence = "quarterly:15"
[deadline.audience]
everyone = true

[[deadline]]
id = "de-an"
title = "Đề án"
due = 2026-03-31
remind = ["3d", "2h"]
done_by = "person"
[deadline.audience]
units = ["Xã Tân Hưng"]
positions = ["Chủ tịch UBND"]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(tmp_path: Path, *args: str) -> int:
    config = write(tmp_path, "config.toml", '[storage]\npath = "bot.sqlite3"\n')
    return main(["deadlines", *args, "--config", str(config)])


def test_a_file_reads_into_specs_with_the_default_reminders() -> None:
    quarterly, project = parse_file(GOOD, "f.toml", ("7d", "1d"))
    assert quarterly.remind == ("7d", "1d") and quarterly.audience.everyone
    assert project.remind == ("3d", "2h") and project.done_by == "person"
    assert project.audience.units == ("Xã Tân Hưng",)


def test_every_problem_is_one_located_line() -> None:
    broken = GOOD.replace('due = 2026-03-31', 'due = "cuối tháng"').replace(
        'recurrence = "quarterly:15"', 'recurrence = "weekly:2"').replace(
        '"3d", "2h"', '"3x"')
    with pytest.raises(DeadlineFileError) as raised:
        parse_file(broken, "f.toml", ("7d",), Known(units=("Xã An Bình",)))
    assert raised.value.problems == [
        'f.toml:4: recurrence "weekly:2" must be "monthly:25", "quarterly:15", '
        '"yearly:12-15" or "cron:0 8 1 * *"',
        "f.toml:11: due must be a date (2026-03-31) or a local date-time "
        "(2026-03-31T17:00:00), got 'cuối tháng'",
        'f.toml:12: reminder offset "3x" must be a number and d, h or m, like "3d"',
        'f.toml:14: audience units: "Xã Tân Hưng" is not one of the configured units',
    ]


def test_import_is_idempotent_reports_missing_and_prunes_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "reports.toml", GOOD)
    assert run(tmp_path, "import", str(path)) == 0
    assert run(tmp_path, "import", str(path)) == 0
    assert "0 added, 0 updated, 2 unchanged" in capsys.readouterr().err
    path.write_text(GOOD.split("\n\n")[1].replace("Đề án", "Đề án (sửa)"), encoding="utf-8")
    assert run(tmp_path, "import", str(path)) == 0
    err = capsys.readouterr().err
    assert 'deadline "bao-cao-quy" is no longer in the file (kept; --prune removes it)' in err
    assert "0 added, 1 updated, 0 unchanged, 0 removed" in err
    assert run(tmp_path, "list", "--json") == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(d["id"], d["title"]) for d in listed] == [
        ("bao-cao-quy", "Báo cáo quý"), ("de-an", "Đề án (sửa)")]
    assert run(tmp_path, "import", str(path), "--prune") == 0
    assert "1 removed" in capsys.readouterr().err
    assert run(tmp_path, "list") == 0
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == ["de-an"]


def test_a_file_with_an_error_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "bad.toml", GOOD.replace('done_by = "person"', 'done_by = "team"'))
    assert run(tmp_path, "import", str(path)) == 1
    err = capsys.readouterr().err
    assert f"{path}:13: done_by must be \"unit\" or \"person\", got 'team'" in err
    assert "nothing imported" in err
    assert run(tmp_path, "list") == 0
    assert capsys.readouterr().out == ""


def test_the_sample_file_of_dispatch_354_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "import", str(SAMPLE)) == 0
    assert run(tmp_path, "list", "--json") == 0
    listed = {d["id"]: d for d in map(json.loads, capsys.readouterr().out.splitlines())}
    march = [d for d in listed.values() if d["due"] == "2026-03-31T17:00:00+07:00"]
    assert len(march) == 4
    assert listed["354-snv-tieu-chi-danh-gia"]["due"].startswith("2026-06-29")
    assert listed["354-bao-cao-ket-qua-quy"]["recurrence"] == "quarterly:20"
    assert sum(i.startswith("vi-du-") for i in listed) == 3


def test_report_writes_completion_per_unit_as_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, "config.toml", '[storage]\npath = "bot.sqlite3"\n'
                   '[onboarding]\nunits = ["Xã Tân Hưng", "Xã An Bình"]\n')
    path = write(tmp_path, "reports.toml", GOOD)
    assert main(["deadlines", "import", str(path), "--config", str(config)]) == 0
    assert main(["deadlines", "report", "bao-cao-quy", "--csv", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "deadline,occurrence,unit,people,people_confirmed,confirmed,confirmed_at"
    assert [line.split(",")[2:6] for line in lines[1:]] == [
        ["Xã An Bình", "0", "0", "no"], ["Xã Tân Hưng", "0", "0", "no"]]
    assert main(["deadlines", "report", "khong-co", "--config", str(config)]) == 1
    assert 'no deadline "khong-co"' in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('send_at = "7h30"', '[reminders] send_at must be a time like "07:30", got "7h30"'),
        ('remind = ["1w"]', '[reminders] remind: reminder offset "1w" must be a number'),
        ("overdue_days = -1", "[reminders] overdue_days must be between 0 and 366"),
    ],
)
def test_reminder_settings_are_checked(tmp_path: Path, text: str, message: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path, "config.toml", f"[reminders]\n{text}\n")
    assert main(["deadlines", "list", "--config", str(config)]) == 1
    assert capsys.readouterr().err.startswith(f"error: {config}: {message}")

