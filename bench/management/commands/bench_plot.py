"""Plot p95 times against collection size from several archive_bench JSON files (SVG)."""

import json
import math

from django.core.management.base import BaseCommand, CommandError

from bench.measure import BANDS

COLOURS = [
    "#1b6ca8",
    "#d1495b",
    "#edae49",
    "#00798c",
    "#66a182",
    "#6a4c93",
    "#8d96a3",
    "#e36414",
    "#2b2d42",
    "#9a031e",
    "#5f0f40",
    "#0f4c5c",
]


def series_from(results):
    """{label: [(excerpts, p95_ms), ...]} for every figure present in the results."""
    series = {}

    def add(label, result, value):
        if isinstance(value, (int, float)):
            series.setdefault(label, []).append((result["corpus"]["excerpts"], value))

    for r in results:
        for section, name in (
            ("search_public", "public search"),
            ("search_backend", "Wagtail search API"),
        ):
            for band in BANDS:
                data = r.get(section, {}).get("bands", {}).get(band, {})
                add(f"{name} {band}", r, data.get("p95_ms"))
        for band in BANDS:
            data = r.get("search_public", {}).get("bands", {}).get(band, {})
            add(f"floor {band}", r, data.get("floor_p95_ms"))
        add("whole search page", r, r.get("search_page", {}).get("p95_ms"))
        for page, data in r.get("pages", {}).items():
            add(f"page {page}", r, data.get("p95_ms"))
    return {k: sorted(v) for k, v in series.items() if len(v) > 1}


def svg(series, title, width=900, height=520):
    left, right, top, bottom = 70, 260, 40, 50
    xs = [x for pts in series.values() for x, _ in pts]
    ys = [y for pts in series.values() for _, y in pts if y > 0]
    x0, x1 = math.log10(min(xs)), math.log10(max(xs))
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    x1 = x1 if x1 > x0 else x0 + 1

    def px(x):
        return left + (math.log10(x) - x0) / (x1 - x0) * (width - left - right)

    def py(y):
        return (
            height
            - bottom
            - (math.log10(max(y, 10**y0)) - y0) / (y1 - y0) * (height - top - bottom)
        )

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="15">{title}</text>',
    ]
    for e in range(y0, y1 + 1):
        y = py(10**e)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{10**e:g} ms</text>')
    for x in sorted(set(xs)):
        out.append(
            f'<text x="{px(x):.1f}" y="{height - bottom + 18}" text-anchor="middle">{x:,}</text>'
        )
    out.append(
        f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">'
        "excerpts in the collection (log scale); p95, log scale</text>"
    )
    for i, (label, pts) in enumerate(sorted(series.items())):
        colour = COLOURS[i % len(COLOURS)]
        dash = ' stroke-dasharray="4 3"' if label.startswith("floor") else ""
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        ly = top + 16 * i
        out.append(
            f'<line x1="{width - right + 15}" x2="{width - right + 40}" y1="{ly}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        out.append(f'<text x="{width - right + 46}" y="{ly + 4}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


class Command(BaseCommand):
    help = "Plot p95 against collection size from archive_bench JSON files (writes an SVG)."

    def add_arguments(self, parser):
        parser.add_argument("results", nargs="+", help="archive_bench JSON files")
        parser.add_argument("--out", required=True)
        parser.add_argument("--title", default="Search and page p95 against collection size")

    def handle(self, *args, **opts):
        results = []
        for path in opts["results"]:
            try:
                with open(path) as fh:
                    results.append(json.load(fh))
            except (OSError, ValueError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
        series = series_from(results)
        if not series:
            raise CommandError("nothing to plot: each figure needs at least two collection sizes")
        with open(opts["out"], "w") as fh:
            fh.write(svg(series, opts["title"]))
        self.stdout.write(f"wrote {opts['out']} ({len(series)} series)")
