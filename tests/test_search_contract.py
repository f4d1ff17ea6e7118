"""The `commune-bot search --json` contract: search quality is measured through it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.factories import entry_text, write_entry

KEYS = {"query", "answer", "facet", "candidates", "elapsed_ms"}
FACETS = {"documents", "steps", "time", "fee", "where", "legal", None}


def search_command(*args: str) -> list[str]:
    """`commune-bot search --json`; tests run in an empty folder, so on embedded defaults."""
    return [sys.executable, "-m", "bot", "search", "--json", *args]


def start_search(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        search_command(*args),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, encoding="utf-8",
    )


def test_each_answer_is_flushed_before_the_next_question_arrives(tmp_path: Path) -> None:
    write_entry(tmp_path / "kb", entry_text())
    with start_search("--kb", str(tmp_path / "kb")) as process:
        assert process.stdin and process.stdout
        process.stdin.write("dang ky khai sinh can giay to gi\n")
        process.stdin.flush()
        first = json.loads(process.stdout.readline())  # would hang if output were buffered
        process.stdin.write("xin chào\n")
        process.stdin.close()
        second = json.loads(process.stdout.readline())
        process.wait(timeout=30)
    assert first["query"] == "dang ky khai sinh can giay to gi"
    assert first["answer"] == "ho-tich/dang-ky-khai-sinh"
    assert second["query"] == "xin chào"
    assert second["answer"] is None
    assert process.returncode == 0


def test_output_follows_the_contract_in_input_order() -> None:
    questions = ["khai sinh can gi", "", "giá xăng hôm nay", "Đăng ký khai sinh cần giấy tờ gì?"]
    done = subprocess.run(
        search_command(),
        input="\n".join(questions) + "\n", capture_output=True, text=True, encoding="utf-8",
        timeout=60, check=True,
    )
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["query"] for r in records] == questions
    for record in records:
        assert set(record) == KEYS
        assert record["facet"] in FACETS
        assert isinstance(record["elapsed_ms"], float)
        assert len(record["candidates"]) <= 5
        for candidate in record["candidates"]:
            assert set(candidate) == {"id", "code", "title", "score"}
    assert records[0]["answer"] == "ho-tich/dang-ky-khai-sinh"
    assert records[1]["answer"] is None
    assert records[2]["answer"] is None
    assert records[3]["answer"] == "ho-tich/dang-ky-khai-sinh"
    assert records[3]["facet"] == "documents"


def test_windows_line_ends_and_broken_bytes_do_not_stop_the_run() -> None:
    lines = [b"khai sinh can gi", "đăng ký kết hôn".encode("cp1258", errors="replace")]
    done = subprocess.run(
        search_command(), input=b"\r\n".join(lines) + b"\r\n",
        capture_output=True, timeout=60, check=True,
    )
    records = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert records[0]["query"] == "khai sinh can gi"
    assert records[0]["answer"] == "ho-tich/dang-ky-khai-sinh"
    assert len(records) == 2 and "\ufffd" in records[1]["query"]
