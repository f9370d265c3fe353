"""The dashboard's charts (dashboard.figures.Chart) as pictures for Word: matplotlib draws them to
PNG, documents.images.Picture carries them into the annual summary.

Sized for print: WIDTH_MM wide on the A4 page (the text block is 156 mm) at DPI dots per inch,
with type of about 9 pt, so the labels read like the table text beside them. A chart by month has
its bars side by side in one panel (演练次数 and 宣传场次 are of a size); a horizontal chart (by
town, by industry) gets a panel per series side by side, each on its own scale, so a series of
thousands (参训人次) does not flatten one of tens (演练次数).

matplotlib is imported on first use, not with the app: it takes about a second and only the
summary needs it. Figures are made without pyplot (no global figure registry, no GUI backend):
saving one to PNG draws it with Agg. The CJK font is Noto Sans CJK (Debian's fonts-noto-cjk), the
one the QR posters use; without it the labels would be boxes.
"""

import io
import threading
from functools import cache

from webapp.dashboard.figures import Chart
from webapp.documents.images import Picture

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
WIDTH_MM = 150
DPI = 170
MM_PER_INCH = 25.4
FONT_PT = 9
# Colours that stay apart in greyscale print as well (dark blue, orange, grey-green).
COLOURS = ("#1f4e79", "#e07b00", "#6a994e", "#8c564b")

_drawing = threading.Lock()  # matplotlib shares its font objects between figures: one drawing at a time


@cache
def _figure_class():
    """matplotlib's Figure, with the CJK font and the summary's style set up once per process."""
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    matplotlib.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [_cjk_family(font_manager), "DejaVu Sans"],
        "font.size": FONT_PT,
        "axes.unicode_minus": False,  # the CJK font has no U+2212 minus sign
        "axes.spines.top": False,
        "axes.spines.right": False,
    })
    return Figure


def _cjk_family(font_manager) -> str:
    """The family name to ask for. addfont registers the collection's first face under its own
    name (Noto Sans CJK JP); newer matplotlib also registers the other faces, and the SC face
    draws Simplified Chinese the mainland way, so it is preferred when present."""
    try:
        font_manager.fontManager.addfont(CJK_FONT)
    except (OSError, RuntimeError):
        return "DejaVu Sans"  # no CJK font here: the picture still renders, labels as boxes
    names = {entry.name for entry in font_manager.fontManager.ttflist if entry.fname == CJK_FONT}
    if "Noto Sans CJK SC" in names:
        return "Noto Sans CJK SC"
    return font_manager.FontProperties(fname=CJK_FONT).get_name()


def has_data(chart: Chart) -> bool:
    return bool(chart.labels) and any(value for d in chart.datasets for value in d["data"])


def png(chart: Chart, width_mm: float = WIDTH_MM, dpi: int = DPI, title: str | None = None) -> bytes:
    """The chart as a PNG, width_mm wide at dpi, titled title (default the chart's own)."""
    make = _figure_class()
    if title:
        chart = Chart(chart.key, title, chart.kind, chart.labels, chart.datasets)
    out = io.BytesIO()
    with _drawing:
        _draw(make, chart, width_mm / MM_PER_INCH).savefig(out, format="png", dpi=dpi, facecolor="white")
    return out.getvalue()


def picture(chart: Chart, width_mm: float = WIDTH_MM, title: str | None = None) -> Picture:
    return Picture(png(chart, width_mm, title=title), width_mm=width_mm, what="统计图")


# ------------------------------------------------------------------------------------- drawing


def _units(chart: Chart) -> list[str]:
    return list(dict.fromkeys(d["unit"] for d in chart.datasets))


def _draw(make, chart: Chart, width_in: float):
    if chart.kind == "hbar":
        return _panels(make, chart, width_in)
    return _columns(make, chart, width_in)


def _text_inches(text: str, points: float = FONT_PT) -> float:
    """About how wide text is set: a CJK character is as wide as the type is high, Latin ~0.6."""
    return sum(1.0 if ord(c) >= 0x2E80 else 0.6 for c in text) * points / 72


def _margins(figure, width_in: float, height_in: float, *, left: float, right: float, top: float,
             bottom: float, wspace: float = 0.2) -> None:
    """Margins in inches, set once: matplotlib's constrained layout measures every text on the
    figure over again and would cost more than the drawing itself."""
    figure.subplots_adjust(left=left / width_in, right=1 - right / width_in, top=1 - top / height_in,
                           bottom=bottom / height_in, wspace=wspace)


def _columns(make, chart: Chart, width_in: float):
    """Vertical bars side by side for each label (months), or lines for a "line" chart."""
    height_in = width_in * 0.5
    figure = make(figsize=(width_in, height_in))
    axes = figure.subplots()
    count = len(chart.datasets)
    positions = range(len(chart.labels))
    width = 0.8 / max(count, 1)
    for index, dataset in enumerate(chart.datasets):
        colour = COLOURS[index % len(COLOURS)]
        if chart.kind == "line":
            axes.plot(list(positions), dataset["data"], marker="o", markersize=3, color=colour, label=dataset["label"])
            continue
        offset = (index - (count - 1) / 2) * width
        bars = axes.bar([p + offset for p in positions], dataset["data"], width, color=colour, label=dataset["label"])
        axes.bar_label(bars, labels=[f"{v:,}" if v else "" for v in dataset["data"]], fontsize=FONT_PT - 2,
                       padding=1)
    axes.set_xticks(list(positions), chart.labels)
    _integer_axis(axes.yaxis)
    axes.grid(axis="y", linewidth=0.4, alpha=0.5)
    axes.set_axisbelow(True)
    figure.suptitle(chart.title, fontsize=FONT_PT + 1, fontweight="bold", y=0.98)
    # the unit written across above the axis: a rotated Chinese label would read sideways
    axes.annotate(f"单位：{'、'.join(_units(chart))}", (0, 1), xycoords="axes fraction", xytext=(-4, 8),
                  textcoords="offset points", ha="left", va="bottom", fontsize=FONT_PT - 1)
    if count > 1:
        figure.legend(frameon=False, ncols=count, loc="lower center", bbox_to_anchor=(0.5, 0.0))
    top = max(axes.get_ylim()[1], 1)
    _margins(figure, width_in, height_in, left=_text_inches(f"{int(top):,}") + 0.2, right=0.1, top=0.55,
             bottom=0.62 if count > 1 else 0.35)
    return figure


def _panels(make, chart: Chart, width_in: float):
    """Horizontal bars, one panel per series side by side, the labels down the left of the first:
    each series on its own scale (次, 场, 人次), titled with its name."""
    count = len(chart.datasets)
    height_in = max(width_in / 3, 1.1 + 0.24 * len(chart.labels))
    figure = make(figsize=(width_in, height_in))
    panels = figure.subplots(1, count, sharey=True, squeeze=False)
    positions = list(range(len(chart.labels)))
    for index, (axes, dataset) in enumerate(zip(panels[0], chart.datasets, strict=True)):
        bars = axes.barh(positions, dataset["data"], 0.7, color=COLOURS[index % len(COLOURS)])
        axes.bar_label(bars, labels=[f"{v:,}" for v in dataset["data"]], fontsize=FONT_PT - 1.5, padding=2)
        axes.set_title(dataset["label"], fontsize=FONT_PT, fontweight="normal")
        axes.set_xlabel(dataset["unit"])
        _integer_axis(axes.xaxis)
        axes.margins(x=0.22)  # room for the value at the end of the longest bar
        axes.tick_params(axis="y", length=0)
    first = panels[0][0]
    first.set_yticks(positions, chart.labels)
    first.invert_yaxis()
    figure.suptitle(chart.title, fontsize=FONT_PT + 1, fontweight="bold", y=1 - 0.08 / height_in)
    longest = max((_text_inches(label) for label in chart.labels), default=0.5)
    _margins(figure, width_in, height_in, left=longest + 0.15, right=0.1, top=0.6, bottom=0.5, wspace=0.15)
    return figure


def _integer_axis(axis) -> None:
    """Counts have whole ticks (no 0.5 次) with thousands separators."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{int(value):,}"))
