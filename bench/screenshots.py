"""Phone messaging-app screenshots of real corpus messages, to test and measure picture reading.

Every message shown is a row of nlp/corpus/*.jsonl, verbatim; QR codes hold either an official
page of the registry (store/data/registry.toml) or a link quoted in a corpus scam. Rendered by
Debian chromium (HTML/CSS, 360 x 800 CSS px at 3x = 1080 x 2400), then degraded like a photo or a
re-sent picture (JPEG quality 40, rotation up to 5 degrees, scaling). Same seed, same screens.

    python bench/screenshots.py --out var/screens --n 200 --seed 12
"""
from __future__ import annotations

import argparse
import base64
import html
import io
import json
import random
import re
import shutil
import tomllib
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "nlp" / "corpus"
TEMPLATE = Template((Path(__file__).with_name("phone_screen.html")).read_text("utf-8"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
FONTS = ("DejaVu Sans", "Liberation Sans", "DejaVu Serif", "Liberation Serif", "Liberation Sans Narrow",
         "DejaVu Sans Condensed")
THEMES = {  # bg, fg, bubble, bubble text, bars, muted
    "light": ("#ffffff", "#111111", "#e9e9eb", "#111111", "#f7f7f7", "#8a8a8e"),
    "dark": ("#000000", "#f2f2f2", "#262628", "#f2f2f2", "#121212", "#8d8d93"),
    "whatsapp": ("#efeae2", "#111b21", "#ffffff", "#111b21", "#f0f2f5", "#667781"),
    "whatsapp-dark": ("#0b141a", "#e9edef", "#202c33", "#e9edef", "#1f2c34", "#8696a0"),
}
DEGRADATIONS = ("none", "none", "jpeg40", "rotate", "scale", "rotate+jpeg40")
_CONTACT = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+\.(?:fr|com|net|info|org|eu|uk|co|ly|me|io)\b|"
                      r"(?<!\d)(?:\+\d{2}[ .]?\d|0\d)(?:[ .-]?\d){8}(?!\d)|\b[1-9]\d{3,4}\b")
_LINK = re.compile(r"https?://[^\s<>\"]+|www\.[^\s<>\"]+", re.I)


@dataclass(frozen=True)
class Screen:
    """One screenshot to render: which corpus rows, how it looks, what happens to it afterwards."""

    name: str
    rows: tuple[dict, ...]  # {"id", "label", "lang", "text", "sender"} from the corpus, verbatim
    font: str
    theme: str
    size_px: float
    clock: str
    degradation: str
    angle: float = 0.0
    scale: float = 1.0
    qr: str | None = None  # payload of a QR code shown as a picture message
    qr_official: bool | None = None
    extra: dict = field(default_factory=dict)


def corpus_rows(max_chars: int = 420) -> list[dict]:
    """Every corpus row short enough for a phone screen, in file order."""
    rows = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text("utf-8").split("\n"):
            if line.strip():
                row = json.loads(line)
                if 12 <= len(row["text"]) <= max_chars:
                    rows.append({k: row.get(k) for k in ("id", "label", "lang", "text", "sender")})
    return rows


def screen_of(name: str, ids: tuple[str, ...], **look) -> Screen:
    """A screen showing the corpus rows `ids` in that order (for tests); `look` overrides defaults."""
    by_id = {r["id"]: r for r in corpus_rows(10_000)}
    defaults = dict(font="DejaVu Sans", theme="light", size_px=16, clock="09:41", degradation="none")
    return Screen(name=name, rows=tuple(by_id[i] for i in ids), **{**defaults, **look})


def qr_links() -> tuple[list[str], list[str]]:
    """Official pages (registry sources on a registry domain) and links quoted in corpus scams."""
    registry = tomllib.loads((ROOT / "store" / "data" / "registry.toml").read_text("utf-8"))
    domains = {c["value"] for i in registry.get("institution", []) for c in i.get("contact", [])
               if c.get("kind") == "domain"}
    official = set()
    for institution in registry.get("institution", []):
        for contact in institution.get("contact", []):
            url = contact.get("source", "")
            host = re.sub(r"^https://(www\.)?", "", url).split("/")[0]
            if any(host == d or host.endswith("." + d) for d in domains):
                official.add(url)
    scam = {m.group(0).rstrip(".,;)»") for r in corpus_rows(10_000) if r["label"] == "scam"
            for m in _LINK.finditer(r["text"]) if "XXX" not in m.group(0) and "[" not in m.group(0)}
    return sorted(official), sorted(scam)


def plan(n: int, seed: int) -> list[Screen]:
    """n screens, 2-3 messages each, at least one message with a link or a number on each."""
    rng = random.Random(seed)
    rows = corpus_rows()
    contacts = [r for r in rows if _CONTACT.search(r["text"])]
    official, unofficial = qr_links()
    screens = []
    for i in range(n):
        picked = [rng.choice(contacts)] + rng.sample(rows, rng.choice((1, 2)))
        rng.shuffle(picked)
        degradation = DEGRADATIONS[i % len(DEGRADATIONS)]
        qr, qr_official = None, None
        if i % 4 == 1:
            qr_official = rng.random() < 0.5
            qr = rng.choice(official if qr_official else unofficial)
            picked = picked[:2]
        screens.append(Screen(
            name=f"screen-{i:04d}", rows=tuple(picked), font=rng.choice(FONTS), theme=rng.choice(tuple(THEMES)),
            size_px=rng.choice((14.5, 15, 16, 17)), clock=f"{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}",
            degradation=degradation, angle=round(rng.uniform(1.5, 5.0) * rng.choice((-1, 1)), 2),
            scale=round(rng.uniform(0.55, 0.85), 2), qr=qr, qr_official=qr_official))
    return screens


def shown_sender(rows: tuple[dict, ...] | list[dict]) -> str:
    """The conversation title on the screen: the first row's sender the corpus gives, else "SMS"."""
    return next((r["sender"] for r in rows if r.get("sender")), None) or "SMS"


def html_for(screen: Screen) -> str:
    """The page chromium renders for `screen`."""
    bg, fg, bubble, bubble_fg, bar, muted = THEMES[screen.theme]
    bubbles = [f'<div class="bubble" data-row="{i}">{html.escape(r["text"])}</div>'
               f'<div class="time">{screen.clock}</div>' for i, r in enumerate(screen.rows)]
    if screen.qr:
        bubbles.insert(1, f'<div class="bubble" data-row="qr"><img alt="" src="data:image/png;base64,'
                          f'{_qr_png(screen.qr)}"></div><div class="time">{screen.clock}</div>')
    sender = shown_sender(screen.rows)
    french = sum(r["lang"] == "fr" for r in screen.rows) * 2 >= len(screen.rows)
    return TEMPLATE.substitute(
        bg=bg, fg=fg, bubble=bubble, bubble_fg=bubble_fg, bar=bar, muted=muted, font=screen.font,
        size=f"{screen.size_px}px", width="84%", gap="10px", battery=40 + zlib.crc32(screen.name.encode()) % 50,
        accent="#7a8cff" if "dark" in screen.theme else "#5b6cf0", clock=screen.clock, who=html.escape(sender),
        day="Aujourd’hui" if french else "Today", bubbles="\n".join(bubbles))


def _qr_png(payload: str) -> str:
    import segno
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=6, border=4)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def degrade(png: bytes, screen: Screen) -> tuple[bytes, str]:
    """The screenshot after what happens to a picture on its way: returns (bytes, file suffix)."""
    from PIL import Image
    image = Image.open(io.BytesIO(png)).convert("RGB")
    fill = tuple(int(THEMES[screen.theme][0][i:i + 2], 16) for i in (1, 3, 5))
    if "rotate" in screen.degradation:
        image = image.rotate(screen.angle, resample=Image.BICUBIC, expand=True, fillcolor=fill)
    if "scale" in screen.degradation:
        image = image.resize((round(image.width * screen.scale), round(image.height * screen.scale)), Image.LANCZOS)
    out = io.BytesIO()
    if "jpeg40" in screen.degradation:
        image.save(out, "JPEG", quality=40)
        return out.getvalue(), ".jpg"
    image.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue(), ".png"


# A bubble cut by the bottom of the screen is removed: what a test expects must be fully visible.
_KEEP_VISIBLE = """() => {
  const kept = [];
  for (const b of document.querySelectorAll('.bubble')) {
    if (b.getBoundingClientRect().bottom > window.innerHeight - 4) { b.nextElementSibling.remove(); b.remove(); }
    else kept.push(b.dataset.row);
  }
  return kept;
}"""


def chromium() -> str | None:
    """Debian's chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render(screens: list[Screen], out_dir: Path) -> list[dict]:
    """Render and degrade every screen into out_dir; write and return manifest.jsonl's entries.

    Each entry is the Screen plus `file`, `visible_rows` (indices of the rows shown whole) and
    `qr_visible`: only those count as what the picture shows.
    """
    from playwright.sync_api import sync_playwright
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 800}, device_scale_factor=3)
            for screen in screens:
                page.set_content(html_for(screen), wait_until="load")
                kept = page.evaluate(_KEEP_VISIBLE)
                data, suffix = degrade(page.screenshot(type="png"), screen)
                (out_dir / (screen.name + suffix)).write_bytes(data)
                entries.append({"file": screen.name + suffix, **asdict(screen),
                                "visible_rows": [int(k) for k in kept if k != "qr"], "qr_visible": "qr" in kept})
        finally:
            browser.close()
    with (out_dir / "manifest.jsonl").open("w", encoding="utf-8") as f:
        for entry in entries:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screens")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    if not chromium():
        raise SystemExit("chromium not found: apt-get install -y chromium")
    entries = render(plan(args.n, args.seed), args.out)
    print(f"{len(entries)} screenshots in {args.out} (manifest.jsonl lists what each shows)")


if __name__ == "__main__":
    main()
