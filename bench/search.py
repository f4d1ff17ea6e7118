"""Search benchmark: answer quality on a question set, and speed at three index sizes.

Run from the project root:

    .venv/bin/python bench/search.py [--sets FILE…] [--questions FILE] [--no-compare]
                                     [--against CHECKOUT]

For each index size (the bundled entries; bundled plus every portal record; 10,000
entries padded with perturbed copies of portal records) it builds three searchers:
the project's search, a naive baseline (rapidfuzz token_set_ratio over folded titles,
answering at a fixed threshold) and bm25s over the same words in one field (never
abstains: its top hit is its answer, which shows ranking alone). Each is scored by the
shared score.py, exactly as `eval-search` scores the command line, and timed.

On a loaded machine wall-clock percentiles mostly measure the other jobs, so each query
is also timed in CPU time (`time.thread_time`), and `--against ../main` times another
checkout's search on the same index and questions, in alternating child processes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Protocol

import bm25s
from rapidfuzz import fuzz, process

from bot.cli import search_record
from knowledge.base import bundled_entries_path, load_knowledge_base, merged
from knowledge.entry import Entry, Origin
from knowledge.importers.dichvucong import import_file
from knowledge.normalize import fold, words
from knowledge.search import Candidate, Intent, SearchIndex, SearchResult, entry_fields

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
QUALITY_SETS = [ROOT / "bench" / "questions" / "tune.jsonl",
                ROOT / "bench" / "questions" / "heldout.jsonl", SHARED / "eval" / "dev.jsonl"]
SYNTHETIC_SIZE = 10_000
NAIVE_THRESHOLD = 80  # token_set_ratio at or above which the naive baseline answers
LATENCY_ROUNDS = 3  # each question is asked this many times for the latency figures


class Searcher(Protocol):
    def search(self, query: str, limit: int = 5) -> SearchResult: ...


class NaiveTitleMatch:
    """What one would write first: fuzzy-match the question against folded titles."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries = list(entries)
        self._titles = [fold(e.title) for e in entries]

    def search(self, query: str, limit: int = 5) -> SearchResult:
        normalized = fold(query)
        found = process.extract(normalized, self._titles, scorer=fuzz.token_set_ratio, limit=limit)
        candidates = tuple(Candidate(self._entries[i], score / 100) for _, score, i in found)
        answered = bool(candidates) and candidates[0].score * 100 >= NAIVE_THRESHOLD
        return SearchResult(query, normalized, Intent.ANSWER if answered else Intent.UNKNOWN,
                            None, candidates)


class Bm25sTop:
    """bm25s over titles, aliases and section heads in one field; always answers its top hit."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries = list(entries)
        corpus = [[w for ws in entry_fields(e).values() for w in ws] or ["-"] for e in entries]
        self._index = bm25s.BM25()
        self._index.index(corpus, show_progress=False)

    def search(self, query: str, limit: int = 5) -> SearchResult:
        tokens = words(query)
        if not tokens:  # bm25s cannot score an empty query
            return SearchResult(query, fold(query), Intent.UNKNOWN, None, ())
        scores = self._index.get_scores(tokens)
        top = scores.argsort()[::-1][:limit]
        candidates = tuple(Candidate(self._entries[i], float(scores[i])) for i in top
                           if scores[i] > 0)
        intent = Intent.ANSWER if candidates else Intent.UNKNOWN
        return SearchResult(query, fold(query), intent, None, candidates)


SYSTEMS: dict[str, Callable[[Sequence[Entry]], Searcher]] = {
    "commune-bot": SearchIndex.build,
    "naive title ratio": NaiveTitleMatch,
    "bm25s one field": Bm25sTop,
}


@dataclass(frozen=True)
class Run:
    build_s: float
    latencies_ms: list[float]
    cpu_ms: list[float]
    answers: list[dict[str, object]]

    def percentile(self, share: float, cpu: bool = False) -> float:
        ordered = sorted(self.cpu_ms if cpu else self.latencies_ms)
        return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def synthetic(entries: Sequence[Entry], size: int, seed: int = 7) -> list[Entry]:
    """Pad `entries` to `size` with copies of imported records, titles shuffled, new ids."""
    rng = random.Random(seed)
    donors = [e for e in entries if e.origin is Origin.IMPORTED] or list(entries)
    padded = list(entries)
    for number in range(size - len(entries)):
        donor = rng.choice(donors)
        title = donor.title.split()
        rng.shuffle(title)
        padded.append(replace(donor, id=f"synthetic/record-{number}", code=None,
                              title=" ".join(title)))
    return padded


def run(build: Callable[[Sequence[Entry]], Searcher], entries: Sequence[Entry],
        questions: Sequence[str]) -> Run:
    started = time.perf_counter()
    searcher = build(entries)
    build_s = time.perf_counter() - started
    answers, latencies, cpu = [], [], []
    for round_number in range(LATENCY_ROUNDS):
        for question in questions:
            started, started_cpu = time.perf_counter(), time.thread_time()
            result = searcher.search(question)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            elapsed = (time.perf_counter() - started) * 1000
            latencies.append(elapsed)
            if round_number == 0:
                answers.append(search_record(result, elapsed))
    return Run(build_s, latencies, cpu, answers)


def portal_index(portal: Path) -> list[Entry]:
    bundled = list(load_knowledge_base([bundled_entries_path()]).entries)
    # As the bot loads them: imported records of curated procedures left out.
    return merged(bundled + import_file(portal, verified=date(2026, 1, 1)).entries)


def against(checkout: Path, portal: Path, questions: Path, rounds: int = 3) -> None:
    """This checkout's search and `checkout`'s, timed on bundled + portal in turns."""
    found: dict[str, list[str]] = {"this": [], str(checkout): []}
    for _ in range(rounds):
        for label, path in (("this", ROOT), (str(checkout), checkout.resolve())):
            env = {**os.environ, "PYTHONPATH": str(path), "PYTHONDONTWRITEBYTECODE": "1"}
            done = subprocess.run(
                [sys.executable, __file__, "--time-only", "--portal", str(portal),
                 "--questions", str(questions)],
                capture_output=True, text=True, check=False, env=env, cwd=path,
            )
            found[label].append(done.stdout.strip() or done.stderr.strip().splitlines()[-1])
    for label, lines in found.items():
        print(f"{label}:\n   " + "\n   ".join(lines))


def time_only(portal: Path, questions: Sequence[str]) -> None:
    """One line of latency figures of the importable search on bundled + portal."""
    import knowledge

    result = run(SearchIndex.build, portal_index(portal), questions)
    print(f"{Path(knowledge.__file__).parents[1].name}: p50 {result.percentile(0.5):.2f} "
          f"p99 {result.percentile(0.99):.2f} ms, CPU p50 {result.percentile(0.5, True):.2f} "
          f"p99 {result.percentile(0.99, True):.2f} ms")


def peak_memory_mb(build: Callable[[Sequence[Entry]], Searcher], entries: Sequence[Entry],
                   questions: Sequence[str]) -> float:
    """Peak Python-traced memory (numpy included) of building and querying, in MiB."""
    tracemalloc.start()
    searcher = build(entries)
    for question in questions:
        searcher.search(question)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def score(questions_path: Path, answers: list[dict[str, object]]) -> str:
    """The shared score.py's report on `answers`, run as eval-search runs it."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as file:
        file.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in answers)
        file.flush()
        done = subprocess.run(
            [sys.executable, str(SHARED / "tools" / "score.py"), str(questions_path), file.name],
            capture_output=True, text=True, encoding="utf-8", check=True,
        )
    return done.stdout


def quality(sets: Sequence[Path], sizes: dict[str, list[Entry]]) -> None:
    """Each question set scored by score.py per typing variant, then per kind of question
    (short keywords, long stories, citizens' long questions…) and per batch of the bank
    where the set says them."""
    for size_name, entries in sizes.items():
        index = SearchIndex.build(entries)
        for path in sets:
            questions = [json.loads(line) for line in
                         path.read_text(encoding="utf-8").splitlines() if line.strip()]
            answers = [search_record(index.search(q["q"]), 0.0) for q in questions]
            print(f"== {path.name} on {size_name} ({len(entries):,} entries)")
            print("   " + score_lines(questions, answers).replace("\n", "\n   "))
            for key in ("kind", "batch"):
                for value in sorted({q[key] for q in questions if key in q}):
                    chosen = [i for i, q in enumerate(questions) if q.get(key) == value]
                    total = score_lines([questions[i] for i in chosen],
                                        [answers[i] for i in chosen])
                    print(f"   {key} {value!s:10s} " + total.splitlines()[-2].split(None, 1)[1])
            print()


def score_lines(questions: Sequence[dict], answers: list[dict[str, object]]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as file:
        file.writelines(json.dumps(q, ensure_ascii=False) + "\n" for q in questions)
        file.flush()
        return score(Path(file.name), answers).strip()


def startup(portal: Path) -> None:
    """Wall time and peak memory of `commune-bot search` from process start to its first
    answer, with the portal records as entry files: without a cache, then from it."""
    with tempfile.TemporaryDirectory() as work:
        imported, cache = Path(work) / "portal", Path(work) / "cache"
        subprocess.run([sys.executable, "-m", "bot", "kb", "import", "--from", "dichvucong",
                        str(portal), "--out", str(imported)], capture_output=True, check=True)
        command = [sys.executable, "-m", "bot", "search", "--json",
                   "--kb", str(bundled_entries_path()), "--kb", str(imported)]
        for label, extra in (("no cache", []), ("cache written", ["--cache", str(cache)]),
                             ("from the cache", ["--cache", str(cache)])):
            started = time.perf_counter()
            process = subprocess.Popen([*command, *extra], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True, encoding="utf-8")
            assert process.stdin and process.stdout
            process.stdin.write("đăng ký khai sinh\n")
            process.stdin.close()
            answer = json.loads(process.stdout.readline())["answer"]
            elapsed = time.perf_counter() - started
            _, status, usage = os.wait4(process.pid, 0)  # this child's own peak memory
            process.returncode = os.waitstatus_to_exitcode(status)
            print(f"start-up {label:15s} {elapsed:5.2f} s to the first answer "
                  f"({answer}), peak RSS {usage.ru_maxrss / 1024:.0f} MiB")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=SHARED / "eval" / "dev.jsonl",
                        help="the set timed against the baselines")
    parser.add_argument("--sets", type=Path, nargs="*", default=QUALITY_SETS,
                        help="sets scored per typing variant and kind")
    parser.add_argument("--portal", type=Path, default=SHARED / "data" / "dichvucong-2026.jsonl")
    parser.add_argument("--no-compare", action="store_true",
                        help="skip the baselines and the 10,000-entry timing")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="only time this search and CHECKOUT's on bundled + portal")
    parser.add_argument("--time-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    questions = [json.loads(line)["q"] for line in
                 args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.time_only:
        time_only(args.portal, questions)
        return 0
    if args.against:
        against(args.against, args.portal, args.questions)
        return 0

    print(f"python {sys.version.split()[0]}\n")
    startup(args.portal)  # first: a child forked from a small process measures its own memory
    with_portal = portal_index(args.portal)
    sizes = {
        "bundled": list(load_knowledge_base([bundled_entries_path()]).entries),
        "bundled + portal": with_portal,
        f"{SYNTHETIC_SIZE:,} synthetic": synthetic(with_portal, SYNTHETIC_SIZE),
    }
    print()
    quality(args.sets, {name: sizes[name] for name in ("bundled", "bundled + portal")})
    if args.no_compare:
        return 0
    print(f"\nquestions: {args.questions} ({len(questions)}), latency over "
          f"{LATENCY_ROUNDS} rounds\n")
    summary = []
    for size_name, entries in sizes.items():
        for system, build in SYSTEMS.items():
            result = run(build, entries, questions)
            memory = peak_memory_mb(build, entries, questions)
            report = score(args.questions, result.answers)
            overall = json.loads(report.strip().splitlines()[-1])
            summary.append((size_name, len(entries), system, result, memory, overall))
            print(f"== {system} on {size_name} ({len(entries):,} entries)")
            print("   " + report.strip().replace("\n", "\n   "))
            print()
    print(f"{'index':22s} {'entries':>7s} {'system':18s} {'build s':>7s} {'p50 ms':>7s} "
          f"{'p99 ms':>7s} {'CPU p99':>7s} {'mean ms':>7s} {'peak MiB':>8s} {'top1':>6s} "
          f"{'top3':>6s} "
          f"{'wrong':>6s} {'abstain':>7s}")
    for size_name, count, system, result, memory, overall in summary:
        print(f"{size_name:22s} {count:7,d} {system:18s} {result.build_s:7.2f} "
              f"{result.percentile(0.5):7.2f} {result.percentile(0.99):7.2f} "
              f"{result.percentile(0.99, cpu=True):7.2f} "
              f"{statistics.fmean(result.latencies_ms):7.2f} {memory:8.1f} "
              f"{overall['top1']:6.1%} {overall['top3']:6.1%} {overall['wrong']:6.1%} "
              f"{overall['abstain_out']:7.1%}")
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS: {max_rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
