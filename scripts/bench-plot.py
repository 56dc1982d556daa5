#!/usr/bin/env python3
"""Draws throughput and p99 latency against client count, for taskwire and its anchors, as a PNG.

Reads the JSON that ``taskwire-bench --suite anchors --clients 1,2,4,... --json FILE`` writes and draws two
panels: operations per second (left) and p99 latency on a log scale (right), one line per series. A
taskwire series is a solid line; its anchor (the raw echo, Redis) the dashed line of the same colour.

    python3 scripts/bench-plot.py FILE.json docs/bench-clients.png

Only the Python standard library: the PNG is written with zlib and struct, lines are rasterised here and
labels use a small built-in bitmap font, so the script runs anywhere Python 3 does.
"""

from __future__ import annotations

import json
import math
import struct
import sys
import zlib
from typing import Dict, List, Sequence, Tuple

Color = Tuple[int, int, int]

# A 5x7 bitmap font: each glyph is 7 rows of 5 columns ("#" is ink). Text is drawn in capitals.
FONT_ROWS: Dict[str, Sequence[str]] = {
    "0": (" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "),
    "1": ("  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "),
    "2": (" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"),
    "3": ("#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "),
    "4": ("   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "),
    "5": ("#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "),
    "6": ("  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "),
    "7": ("#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "),
    "8": (" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "),
    "9": (" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "),
    "A": (" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"),
    "B": ("#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### "),
    "C": (" ### ", "#   #", "#    ", "#    ", "#    ", "#   #", " ### "),
    "D": ("#### ", "#   #", "#   #", "#   #", "#   #", "#   #", "#### "),
    "E": ("#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####"),
    "F": ("#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#    "),
    "G": (" ### ", "#   #", "#    ", "# ###", "#   #", "#   #", " ####"),
    "H": ("#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"),
    "I": (" ### ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "),
    "J": ("  ###", "   # ", "   # ", "   # ", "   # ", "#  # ", " ##  "),
    "K": ("#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #"),
    "L": ("#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####"),
    "M": ("#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #"),
    "N": ("#   #", "#   #", "##  #", "# # #", "#  ##", "#   #", "#   #"),
    "O": (" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "),
    "P": ("#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "),
    "Q": (" ### ", "#   #", "#   #", "#   #", "# # #", "#  # ", " ## #"),
    "R": ("#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"),
    "S": (" ####", "#    ", "#    ", " ### ", "    #", "    #", "#### "),
    "T": ("#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "),
    "U": ("#   #", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "),
    "V": ("#   #", "#   #", "#   #", "#   #", "#   #", " # # ", "  #  "),
    "W": ("#   #", "#   #", "#   #", "# # #", "# # #", "# # #", " # # "),
    "X": ("#   #", "#   #", " # # ", "  #  ", " # # ", "#   #", "#   #"),
    "Y": ("#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  ", "  #  "),
    "Z": ("#####", "    #", "   # ", "  #  ", " #   ", "#    ", "#####"),
    " ": ("     ",) * 7,
    ".": ("     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "),
    ",": ("     ", "     ", "     ", "     ", " ##  ", "  #  ", " #   "),
    ":": ("     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     "),
    "/": ("    #", "    #", "   # ", "  #  ", " #   ", "#    ", "#    "),
    "(": ("   # ", "  #  ", " #   ", " #   ", " #   ", "  #  ", "   # "),
    ")": (" #   ", "  #  ", "   # ", "   # ", "   # ", "  #  ", " #   "),
    "-": ("     ", "     ", "     ", "#####", "     ", "     ", "     "),
    "_": ("     ",) * 6 + ("#####",),
    "%": ("##   ", "##  #", "   # ", "  #  ", " #   ", "#  ##", "   ##"),
    "=": ("     ", "     ", "#####", "     ", "#####", "     ", "     "),
    "+": ("     ", "  #  ", "  #  ", "#####", "  #  ", "  #  ", "     "),
    "'": ("  #  ", "  #  ", "     ", "     ", "     ", "     ", "     "),
    "?": (" ### ", "#   #", "    #", "   # ", "  #  ", "     ", "  #  "),
}

WHITE: Color = (255, 255, 255)
BLACK: Color = (0, 0, 0)
GREY: Color = (200, 200, 200)
DARK: Color = (90, 90, 90)
PALETTE: List[Color] = [(31, 90, 180), (200, 50, 40), (30, 140, 60), (150, 80, 170), (220, 130, 20)]


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.pixels = bytearray(WHITE * (width * height))

    def set(self, x: int, y: int, color: Color) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            offset = (y * self.width + x) * 3
            self.pixels[offset : offset + 3] = bytes(color)

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        for y in range(max(0, y0), min(self.height, y1 + 1)):
            for x in range(max(0, x0), min(self.width, x1 + 1)):
                self.set(x, y, color)

    def line(
        self, x0: float, y0: float, x1: float, y1: float, color: Color, width: int = 1, dash: int = 0
    ) -> None:
        """A line of ``width`` pixels; with ``dash`` > 0, drawn ``dash`` pixels on, ``dash`` off."""
        steps = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        for step in range(steps + 1):
            if dash and (step // dash) % 2 == 1:
                continue
            t = step / steps
            x = round(x0 + (x1 - x0) * t)
            y = round(y0 + (y1 - y0) * t)
            half = width // 2
            self.rect(x - half, y - half, x - half + width - 1, y - half + width - 1, color)

    def text(self, x: int, y: int, text: str, color: Color = BLACK, scale: int = 2) -> int:
        """Draws ``text`` with its top-left corner at (x, y); returns the width drawn."""
        cursor = x
        for char in text.upper():
            rows = FONT_ROWS.get(char, FONT_ROWS["?"])
            for row, bits in enumerate(rows):
                for column, bit in enumerate(bits):
                    if bit == "#":
                        self.rect(
                            cursor + column * scale,
                            y + row * scale,
                            cursor + column * scale + scale - 1,
                            y + row * scale + scale - 1,
                            color,
                        )
            cursor += 6 * scale
        return cursor - x

    def png(self) -> bytes:
        raw = bytearray()
        stride = self.width * 3
        for y in range(self.height):
            raw.append(0)
            raw.extend(self.pixels[y * stride : (y + 1) * stride])

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b"")
        )


def text_width(text: str, scale: int = 2) -> int:
    return len(text) * 6 * scale


def short_number(value: float) -> str:
    if value >= 1_000_000:
        return ("%.1fM" % (value / 1e6)).replace(".0M", "M")
    if value >= 1000:
        return ("%.0fk" % (value / 1e3)) if value >= 10_000 else ("%.1fk" % (value / 1e3)).replace(".0k", "k")
    if value >= 1:
        return "%.0f" % value
    return "%g" % value


def nice_linear_ticks(top: float) -> List[float]:
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    return [step * i for i in range(int(top / step) + 2)]


def log_ticks(low: float, high: float) -> List[float]:
    ticks = []
    exponent = math.floor(math.log10(low))
    while 10**exponent <= high * 10:
        for mantissa in (1, 2, 5):
            value = mantissa * 10**exponent
            if low / 1.01 <= value <= high * 1.01:
                ticks.append(value)
        exponent += 1
    return ticks


def panel(
    canvas: Canvas,
    box: Tuple[int, int, int, int],
    title: str,
    series: List[dict],
    key: str,
    log_y: bool,
    styles: Dict[str, Tuple[Color, bool]],
) -> None:
    left, top, right, bottom = box
    clients = sorted({point["clients"] for s in series for point in s["points"]})
    values = [point[key] for s in series for point in s["points"] if point[key] > 0]
    if not clients or not values:
        return
    x_low, x_high = math.log2(clients[0]), math.log2(clients[-1]) or 1.0
    if x_high == x_low:
        x_high = x_low + 1
    if log_y:
        y_low = 10 ** math.floor(math.log10(min(values)))
        y_high = 10 ** math.ceil(math.log10(max(values)))
        ticks = log_ticks(y_low, y_high)

        def to_y(value: float) -> float:
            return bottom - (math.log10(value) - math.log10(y_low)) / (math.log10(y_high) - math.log10(y_low)) * (
                bottom - top
            )

    else:
        ticks = nice_linear_ticks(max(values) * 1.05)
        y_high = ticks[-1]

        def to_y(value: float) -> float:
            return bottom - value / y_high * (bottom - top)

    def to_x(count: int) -> float:
        return left + (math.log2(count) - x_low) / (x_high - x_low) * (right - left)

    canvas.text(left, top - 34, title, BLACK, 2)
    for tick in ticks:
        y = round(to_y(tick))
        if top <= y <= bottom:
            canvas.line(left, y, right, y, GREY)
            label = short_number(tick)
            canvas.text(left - 8 - text_width(label), y - 7, label, DARK)
    for count in clients:
        x = round(to_x(count))
        canvas.line(x, top, x, bottom, GREY)
        label = str(count)
        canvas.text(x - text_width(label) // 2, bottom + 8, label, DARK)
    canvas.text((left + right) // 2 - text_width("clients") // 2, bottom + 30, "clients", DARK)
    canvas.line(left, bottom, right, bottom, BLACK, 2)
    canvas.line(left, top, left, bottom, BLACK, 2)
    for s in series:
        color, dashed = styles[s["name"]]
        points = [(to_x(p["clients"]), to_y(p[key])) for p in s["points"] if p[key] > 0]
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            canvas.line(x0, y0, x1, y1, color, 3, 7 if dashed else 0)
        for x, y in points:
            if dashed:
                canvas.rect(round(x) - 4, round(y) - 4, round(x) + 4, round(y) + 4, color)
                canvas.rect(round(x) - 2, round(y) - 2, round(x) + 2, round(y) + 2, WHITE)
            else:
                canvas.rect(round(x) - 4, round(y) - 4, round(x) + 4, round(y) + 4, color)


def series_styles(series: List[dict]) -> Dict[str, Tuple[Color, bool]]:
    """A colour per measured call (ping, create, get) shared by taskwire and its anchor; anchors dashed."""
    styles: Dict[str, Tuple[Color, bool]] = {}
    taskwire = [s["name"] for s in series if s["name"].startswith("taskwire")]
    anchors = [s["name"] for s in series if not s["name"].startswith("taskwire")]
    for index, name in enumerate(taskwire):
        styles[name] = (PALETTE[index % len(PALETTE)], False)
    for index, name in enumerate(anchors):
        styles[name] = (PALETTE[index % len(PALETTE)], True)
    return styles


def main() -> None:
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__ or "")
        raise SystemExit(64)
    with open(sys.argv[1], encoding="utf-8") as handle:
        document = json.load(handle)
    series = document["series"]
    if not series:
        raise SystemExit("no series in %s (run taskwire-bench with --clients)" % sys.argv[1])
    styles = series_styles(series)
    width, height = 1400, 640
    canvas = Canvas(width, height)
    legend_top = 470
    panel(canvas, (110, 70, 660, 400), "throughput (ops/s)", series, "ops_per_s", False, styles)
    panel(canvas, (800, 70, 1360, 400), "p99 latency (us, log scale)", series, "p99_us", True, styles)
    # Legend: two columns, taskwire on the left and the anchors on the right.
    rows = {"taskwire": 0, "anchor": 0}
    for s in series:
        color, dashed = styles[s["name"]]
        column = "anchor" if dashed else "taskwire"
        x = 110 if column == "taskwire" else 800
        y = legend_top + rows[column] * 26
        rows[column] += 1
        canvas.line(x, y + 7, x + 50, y + 7, color, 3, 7 if dashed else 0)
        canvas.text(x + 64, y, s["name"], BLACK)
    load = document.get("load_average", [])
    caption = "%d cores, load average at start %s, at end %s, %.1f s per point" % (
        document.get("cores", 0),
        load[0] if load else "?",
        load[-1] if load else "?",
        document.get("seconds_per_point", 0),
    )
    canvas.text(110, height - 30, caption, DARK)
    with open(sys.argv[2], "wb") as handle:
        handle.write(canvas.png())


if __name__ == "__main__":
    main()
