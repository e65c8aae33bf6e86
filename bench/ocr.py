"""Picture reading on the generated screenshots: what the OCR recovers, how fast, in how much memory.

    python bench/screenshots.py --out var/screens --n 200      # once: render the test set
    python bench/ocr.py var/screens                              # the default engine, one core
    python bench/ocr.py var/screens --compare --limit 60         # every engine, each in its own process

Truth is what the full triage finds in the original text of the messages shown whole on the
screen: a link or a phone number counts as recovered when the verdict on the picture's text has
the very same URL or E.164 number. QR codes: the payload decoded exactly. Words: share of the
original words (lower-cased) found in the OCR text. Timing covers bytes to PictureText (decode,
OCR, QR, hashes), then to verdict, as wall-clock time and as CPU time (this process plus
its Tesseract processes): on a shared machine the CPU time is what one idle core would take.
Peak memory: this process (engine and triage loaded) and, for tesseract-cli, one Tesseract
process of its own (it runs beside the worker, one at a time).
"URL exact" compares scheme and host case-insensitively (DNS does) and the rest exactly.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_WORD = re.compile(r"\w+", re.UNICODE)


def one_core() -> None:
    """Pin this process (and the OCR threads and children it starts) to one core."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _triage():
    from bot.report import Report
    from service.engine import build_triage, prepare_db
    triage = build_triage(prepare_db(Path(tempfile.mkdtemp(prefix="vigie-ocr-bench-")) / "bench.sqlite3"))
    triage.check(Report("warm-up"))
    return triage, Report


def _cpu_s() -> float:
    """CPU seconds used so far by this process and the OCR processes it waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _host(url: str) -> str:
    return re.sub(r"^(?:https?://)?", "", url, flags=re.I).split("/")[0].split("?")[0].lower()


def measure(screens: Path, engine_name: str, limit: int | None = None) -> dict:
    """Read every screenshot of `screens` with one engine; return the figures."""
    from bench.screenshots import shown_sender
    from pictures import get_engine, read_picture
    triage, Report = _triage()
    engine = get_engine(engine_name)
    entries = [json.loads(line) for line in (screens / "manifest.jsonl").read_text("utf-8").splitlines()][:limit]
    read_picture((screens / entries[0]["file"]).read_bytes(), engine=engine)  # warm-up: models loaded
    counts: Counter[str] = Counter()
    read_ms, verdict_ms, cpu_ms, misses = [], [], [], []
    for entry in entries:
        rows = [entry["rows"][i] for i in entry["visible_rows"]]
        original = "\n\n".join(r["text"] for r in rows)
        qr_truth = (entry["qr"],) if entry.get("qr_visible") else ()
        data = (screens / entry["file"]).read_bytes()
        c0, t0 = _cpu_s(), time.perf_counter()
        picture = read_picture(data, engine=engine)
        t1, c1 = time.perf_counter(), _cpu_s()
        cpu_ms.append((c1 - c0) * 1000)
        seen = triage.check(Report(picture.text, "sms", sender=picture.header or None, hidden_links=picture.qr))
        t2 = time.perf_counter()
        read_ms.append((t1 - t0) * 1000)
        verdict_ms.append((t2 - t0) * 1000)
        truth = triage.check(Report(original, "sms", sender=shown_sender(entry["rows"]), hidden_links=qr_truth))
        _count(counts, misses, entry, truth, seen, original, picture, qr_truth)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    share = lambda a, b: round(100 * counts[a] / counts[b], 1) if counts[b] else None  # noqa: E731
    return {
        "engine": engine_name, "screenshots": len(entries),
        "links": counts["links"], "links_exact_pct": share("links_ok", "links"),
        "link_hosts_exact_pct": share("hosts_ok", "links"),
        "phones": counts["phones"], "phones_exact_pct": share("phones_ok", "phones"),
        "links_and_phones_exact_pct": round(100 * (counts["links_ok"] + counts["phones_ok"])
                                            / max(1, counts["links"] + counts["phones"]), 1),
        "qr": counts["qr"], "qr_decoded_pct": share("qr_ok", "qr"),
        "words_recovered_pct": share("words_ok", "words"),
        "same_verdict_pct": share("verdict_ok", "screens"),
        "read_p50_ms": round(statistics.median(read_ms)), "read_p95_ms": round(_percentile(read_ms, 0.95)),
        "read_cpu_p50_ms": round(statistics.median(cpu_ms)), "read_cpu_p95_ms": round(_percentile(cpu_ms, 0.95)),
        "to_verdict_p50_ms": round(statistics.median(verdict_ms)),
        "to_verdict_p95_ms": round(_percentile(verdict_ms, 0.95)),
        "peak_rss_mb": round(rss),
        "tesseract_process_peak_mb": _tesseract_peak_mb(screens / entries[0]["file"]) if engine_name == "tesseract-cli"
        else None, "misses": misses,
    }


def _same_place(url: str) -> str:
    """The URL with scheme and host lower-cased (DNS ignores case); the path stays exact."""
    head, tail = re.match(r"^((?:https?://)?[^/?#]*)(.*)$", url, re.I | re.S).groups()
    return head.lower() + tail


def _tesseract_peak_mb(picture: Path) -> float | None:
    """Peak RSS (VmHWM) of one Tesseract process reading `picture`, polled from /proc."""
    import shutil
    binary = shutil.which("tesseract")
    if not binary or not Path("/proc/self/status").exists():
        return None
    process = subprocess.Popen([binary, str(picture), "stdout", "-l", "fra+eng", "--psm", "3", "tsv"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=dict(os.environ, OMP_THREAD_LIMIT="1"))
    peak = 0
    while process.poll() is None:
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
            peak = max(peak, int(re.search(r"VmHWM:\s+(\d+)", status).group(1)))
        except (OSError, AttributeError):
            pass
        time.sleep(0.01)
    return round(peak / 1024)


def _count(counts: Counter, misses: list, entry: dict, truth, seen, original: str, picture, qr_truth) -> None:
    counts["screens"] += 1
    counts["verdict_ok"] += truth.verdict == seen.verdict
    seen_links = {_same_place(link["url"]) for link in seen.links}
    seen_phones = {phone["number"] for phone in seen.phones}
    for link in {_same_place(link["url"]) for link in truth.links} - {_same_place(q) for q in qr_truth}:
        counts["links"] += 1
        counts["links_ok"] += link in seen_links
        counts["hosts_ok"] += _host(link) in {_host(s) for s in seen_links}
        if link not in seen_links:
            misses.append({"file": entry["file"], "link": link})
    for number in {phone["number"] for phone in truth.phones}:
        counts["phones"] += 1
        counts["phones_ok"] += number in seen_phones
        if number not in seen_phones:
            misses.append({"file": entry["file"], "phone": number})
    for payload in qr_truth:
        counts["qr"] += 1
        counts["qr_ok"] += payload in picture.qr
    words = Counter(w.lower() for w in _WORD.findall(original))
    found = Counter(w.lower() for w in _WORD.findall(picture.text))
    counts["words"] += sum(words.values())
    counts["words_ok"] += sum(min(n, found[w]) for w, n in words.items())
    if truth.verdict != seen.verdict:
        misses.append({"file": entry["file"], "verdict_text": truth.verdict, "verdict_picture": seen.verdict})


def _print(figures: dict, show_misses: bool) -> None:
    misses = figures.pop("misses")
    print(json.dumps(figures, ensure_ascii=False))
    if show_misses:
        for miss in misses:
            print("  miss", json.dumps(miss, ensure_ascii=False))


def main() -> None:
    from pictures import ENGINES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("screens", type=Path, nargs="?", default=ROOT / "var" / "screens")
    parser.add_argument("--engine", choices=ENGINES, default=ENGINES[0])
    parser.add_argument("--compare", action="store_true", help="every engine, each in a fresh process")
    parser.add_argument("--limit", type=int, default=None, help="only the first N screenshots")
    parser.add_argument("--misses", action="store_true", help="list each link, number or verdict missed")
    args = parser.parse_args()
    if not (args.screens / "manifest.jsonl").is_file():
        raise SystemExit(f"no manifest.jsonl in {args.screens}: run bench/screenshots.py --out {args.screens}")
    if args.compare:
        for name in ENGINES:
            extra = ["--limit", str(args.limit)] if args.limit else []
            subprocess.run([sys.executable, __file__, str(args.screens), "--engine", name, *extra]
                           + (["--misses"] if args.misses else []), check=True)
        return
    one_core()
    _print(measure(args.screens, args.engine, args.limit), args.misses)


if __name__ == "__main__":
    main()
