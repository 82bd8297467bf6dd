"""The course's matplotlib style: colours safe for colour-blind readers.

Colours come from the Okabe–Ito palette (Okabe and Ito, *Color Universal
Design*, 2008), which stays distinguishable with the common forms of colour
blindness. Each series also gets its own marker and line style, so a figure
still reads in greyscale print or to a reader who cannot tell two hues apart.
Yellow, too pale for lines on white, comes last in the cycle.

In a chapter::

    from solidarity_course.plotting import use_course_style

    use_course_style()
"""

from __future__ import annotations

import matplotlib as mpl
from cycler import cycler

#: The eight Okabe–Ito colours by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: The order series take the colours in: strongest contrast on white first.
PALETTE = tuple(
    OKABE_ITO[name]
    for name in (
        "blue",
        "vermillion",
        "bluish_green",
        "reddish_purple",
        "orange",
        "sky_blue",
        "black",
        "yellow",
    )
)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":", "-.", "-", "--", ":", "-.")

#: rcParams of the course style (applied by :func:`use_course_style`).
STYLE = {
    "axes.prop_cycle": (
        cycler(color=PALETTE) + cycler(marker=MARKERS) + cycler(linestyle=LINESTYLES)
    ),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "lines.linewidth": 2.0,
    "lines.markersize": 6,
    "font.size": 11,
    "legend.frameon": False,
    "figure.figsize": (7, 3.5),
    "figure.dpi": 100,
    "savefig.bbox": "tight",
}


def use_course_style() -> None:
    """Apply the course style to every later figure of the session."""
    mpl.rcParams.update(STYLE)
