"""How far apart the dhash of two pictures of one message is, against two different messages.

Each message screen of bench/screenshots.py's plan is rendered three times in the same app theme: as
planned; "resent": the same picture passed on (JPEG quality 40, scaling, or both; the clock differs);
"refont": re-rendered with another font and text size and degraded another way -- the same campaign
captured on another phone. Prints the distance distributions of each kind of twin and of different
screens of the same theme (the hard case: same app chrome), and the share of each joined at every
threshold, so the campaign threshold can be chosen on figures.

    python bench/picture_twins.py --n 60 --out var/twins
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from dataclasses import replace
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.screenshots import FONTS, chromium, plan, render  # noqa: E402

SECOND_LOOK = ("jpeg40", "scale", "scale+jpeg40")


def twins(n: int, seed: int) -> list:
    """n screens without QR codes as planned (no rotation), each with a resent and a refont twin."""
    rng = random.Random(seed)
    firsts = [replace(s, qr=None, qr_official=None, degradation="none")
              for s in plan(n, seed)]
    clock = lambda: f"{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}"  # noqa: E731
    resent = [replace(s, name=s.name + "-resent", degradation=rng.choice(SECOND_LOOK), clock=clock()) for s in firsts]
    refont = [replace(s, name=s.name + "-refont", font=rng.choice([f for f in FONTS if f != s.font]),
                      size_px=rng.choice([x for x in (14.5, 15, 16, 17) if x != s.size_px]),
                      degradation=rng.choice(SECOND_LOOK), clock=clock())
              for s in firsts]
    return firsts + resent + refont


def hashes(out: Path, entries: list[dict]) -> dict[str, str]:
    """The dhash the reader computes for each rendered file (same decode, same reduced picture)."""
    from pictures.decode import decode
    from pictures.similar import dhash
    return {e["name"]: dhash(decode((out / e["file"]).read_bytes()).image) for e in entries}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "twins")
    args = parser.parse_args()
    if not (args.out / "manifest.jsonl").is_file():
        if not chromium():
            raise SystemExit("chromium not found: apt-get install -y chromium")
        render(twins(args.n, args.seed), args.out)
    entries = [json.loads(line) for line in (args.out / "manifest.jsonl").read_text("utf-8").splitlines()]
    theme = {e["name"]: e["theme"] for e in entries}
    h = hashes(args.out, entries)
    from pictures.similar import distance
    firsts = [name for name in h if "-" not in name.removeprefix("screen-")]
    resent = [distance(h[name], h[name + "-resent"]) for name in firsts]
    refont = [distance(h[name], h[name + "-refont"]) for name in firsts]
    other = [distance(h[a], h[b]) for a, b in combinations(firsts, 2) if theme[a] == theme[b]]
    print(json.dumps({"screens": len(firsts), "resent_distance": sorted(resent), "refont_distance": sorted(refont),
                      "different_same_theme_pairs": len(other), "different_lowest": sorted(other)[:15]}))
    for t in range(0, 65, 4):
        print(f"threshold {t:2d}: resent joined {sum(d <= t for d in resent) / len(resent):6.1%}, "
              f"refont joined {sum(d <= t for d in refont) / len(refont):6.1%}, "
              f"different joined {sum(d <= t for d in other) / len(other):6.2%}")
    print("bits set per hash (median):", sorted(Counter(bin(int(v, 16)).count('1') for v in h.values()).elements())
          [len(h) // 2])


if __name__ == "__main__":
    main()
