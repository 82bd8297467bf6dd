"""Item analysis numbers against a hand computation on a tiny fixture (5 students, 3 questions).

Fixture (points; Q1 and Q2 are worth 1, Q3 is worth 2):

    student  Q1  Q2  Q3   total   Q1 answer (single choice, key "a")
    A         1   1   2     4     a
    B         1   0   2     3     a
    C         1   1   1     3     a
    D         0   1   0     1     b
    E         0   0   0     0     c

Totals T = [4, 3, 3, 1, 0], mean 11/5 = 2.2.
"""

from __future__ import annotations

import math

import pytest

from solidarity_course.instructor.itemstats import ItemInput, analyse, cronbach_alpha, pearson
from solidarity_course.quiz.model import SingleChoice

Q1 = SingleChoice(id="q1", chapter="c", objective="o", use="graded", prompt="p",
                  explanation="e", points=1, type="single_choice", answer="a",
                  options=[{"id": "a", "text": "A"}, {"id": "b", "text": "B"},
                           {"id": "c", "text": "C"}, {"id": "d", "text": "D"}])
STUDENTS = ["A", "B", "C", "D", "E"]


@pytest.fixture
def stats():
    return analyse(STUDENTS, [
        ItemInput("q1", 1, [1, 1, 1, 0, 0], Q1, ["a", "a", "a", "b", "c"]),
        ItemInput("q2", 1, [1, 0, 1, 1, 0]),
        ItemInput("q3", 2, [2, 2, 1, 0, 0]),
    ])


def test_totals_and_facility(stats):
    assert stats.totals == [4, 3, 3, 1, 0]
    by = {i.item: i for i in stats.items}
    assert by["q1"].facility == pytest.approx(3 / 5)  # mean 0.6 of 1
    assert by["q2"].facility == pytest.approx(3 / 5)  # mean 0.6 of 1
    assert by["q3"].facility == pytest.approx(1.0 / 2)  # mean (2+2+1)/5 = 1.0 of 2


def test_discrimination_is_corrected_item_total_correlation(stats):
    by = {i.item: i for i in stats.items}
    # Q1: x = [1,1,1,0,0], rest = T - x = [3,2,2,1,0]; mean x 0.6, mean rest 1.6
    #   dx = [.4,.4,.4,-.6,-.6]; dr = [1.4,.4,.4,-.6,-1.6]
    #   Sxy = .56+.16+.16+.36+.96 = 2.2; Sxx = 3*.16+2*.36 = 1.2; Syy = 1.96+.16+.16+.36+2.56 = 5.2
    #   r = 2.2 / sqrt(1.2*5.2) = 2.2 / sqrt(6.24) = 0.880704...
    assert by["q1"].discrimination == pytest.approx(2.2 / math.sqrt(6.24))
    # Q2: x = [1,0,1,1,0], rest = [3,3,2,0,0]; mean x .6, mean rest 1.6
    #   dx = [.4,-.6,.4,.4,-.6]; dr = [1.4,1.4,.4,-1.6,-1.6]
    #   Sxy = .56-.84+.16-.64+.96 = 0.2; Sxx = 1.2; Syy = 1.96*2+.16+2.56*2 = 9.2
    #   r = 0.2 / sqrt(11.04) = 0.060193...  (below 0.1: flagged)
    assert by["q2"].discrimination == pytest.approx(0.2 / math.sqrt(11.04))
    assert any("low discrimination" in f for f in by["q2"].flags)
    # Q3: x = [2,2,1,0,0], rest = [2,1,2,1,0]; mean x 1, mean rest 1.2
    #   dx = [1,1,0,-1,-1]; dr = [.8,-.2,.8,-.2,-1.2]
    #   Sxy = .8-.2+0+.2+1.2 = 2.0; Sxx = 4; Syy = .64+.04+.64+.04+1.44 = 2.8
    #   r = 2 / sqrt(11.2) = 0.597614...
    assert by["q3"].discrimination == pytest.approx(2 / math.sqrt(11.2))


def test_point_biserials_and_option_counts(stats):
    q1 = next(i for i in stats.items if i.item == "q1")
    opts = {o.option: o for o in q1.options}
    assert (opts["a"].count, opts["b"].count, opts["c"].count, opts["d"].count) == (3, 1, 1, 0)
    # key "a": chosen = [1,1,1,0,0] against T = [4,3,3,1,0] (mean 2.2)
    #   dT = [1.8,.8,.8,-1.2,-2.2]; Sxy = .4*1.8+.4*.8+.4*.8-.6*-1.2-.6*-2.2
    #        = .72+.32+.32+.72+1.32 = 3.4; Sxx = 1.2; Syy = 3.24+.64+.64+1.44+4.84 = 10.8
    #   r = 3.4 / sqrt(12.96) = 3.4 / 3.6 = 0.944444...
    assert opts["a"].point_biserial == pytest.approx(3.4 / 3.6)
    assert q1.key_point_biserial == pytest.approx(3.4 / 3.6)
    # distractor "b": chosen = [0,0,0,1,0]; dx = [-.2,-.2,-.2,.8,-.2]
    #   Sxy = -.36-.16-.16-.96+.44 = -1.2; Sxx = .8; r = -1.2 / sqrt(.8*10.8) = -1.2/sqrt(8.64)
    assert opts["b"].point_biserial == pytest.approx(-1.2 / math.sqrt(8.64))
    # distractor "c": chosen = [0,0,0,0,1]; Sxy = -.36-.16-.16+.24-1.76 = -2.2
    #   r = -2.2 / sqrt(8.64) = -0.748455...
    assert opts["c"].point_biserial == pytest.approx(-2.2 / math.sqrt(8.64))
    assert opts["d"].point_biserial is None  # nobody chose it: no variance
    assert opts["a"].is_key and opts["b"].is_distractor and not opts["a"].is_distractor
    assert not any("distractor" in f for f in q1.flags)


def test_cronbach_alpha(stats):
    # sample variances: Q1 1.2/4 = .3; Q2 .3; Q3 Sxx 4/4 = 1.0; sum 1.6
    # totals T: deviations [1.8,.8,.8,-1.2,-2.2], S = 10.8, var 2.7
    # alpha = 3/2 * (1 - 1.6/2.7) = 1.5 * 1.1/2.7 = 0.611111...
    assert stats.alpha == pytest.approx(1.5 * (1 - 1.6 / 2.7))
    assert cronbach_alpha([[1, 1], [0, 0]]) is None  # totals without variance
    assert pearson([1, 1, 1], [1, 2, 3]) is None


def test_flags_for_easy_hard_and_positive_distractor():
    # Totals: A 0+1+0+3 = 4, B 4, C 1+1 = 2, D 2, E 1.  Distractor "b" is chosen by the
    # two best students (A, B): its point-biserial is positive.
    s = analyse(["A", "B", "C", "D", "E"], [
        ItemInput("q1", 1, [0, 0, 1, 1, 0], Q1, ["b", "b", "a", "a", "c"]),
        ItemInput("easy", 1, [1, 1, 1, 1, 1]),
        ItemInput("hard", 1, [0, 0, 0, 0, 0]),
        ItemInput("q4", 3, [3, 3, 0, 0, 0]),
    ])
    assert s.totals == [4, 4, 2, 2, 1]
    flags = {i.item: " ".join(i.flags) for i in s.items}
    assert "distractor 'b' has a positive point-biserial" in flags["q1"]
    assert "too easy" in flags["easy"]  # facility 1.0 > 0.9
    assert "too hard" in flags["hard"]  # facility 0.0 < 0.2
    assert "low discrimination" in flags["q4"]  # rest [1,1,2,2,1] falls as q4 rises


def test_the_report_page_escapes_what_students_and_the_gradebook_wrote():
    from solidarity_course.instructor.report import (
        AssignmentData,
        Section,
        item_views,
        render_page,
    )

    items = [ItemInput("q1<script>", 1, [1, 1, 1, 0, 0], Q1, ["a", "a", "a", "b", "c"]),
             ItemInput("q2", 1, [1, 0, 1, 1, 0])]
    data = AssignmentData("ch<1>&", STUDENTS, items, left_out=["<img src=x onerror=alert(1)>"])
    stats = analyse(STUDENTS, items)
    page = render_page([Section(data, stats, [("<svg>chart</svg>", 'a "q" <b>')],
                                item_views(data, stats))])
    assert "<script>" not in page and "<img src=x" not in page
    assert "<h2>ch&lt;1&gt;&amp;</h2>" in page and "<td>q1&lt;script&gt;</td>" in page
    assert "<figcaption>a &#34;q&#34; &lt;b&gt;</figcaption>" in page
    # q1's own section: its prompt beside its id, and its option chart labelled
    assert f"<h3>q1&lt;script&gt;: <span class=\"prompt\">{Q1.prompt}</span></h3>" in page
    assert page.count('<svg role="img" aria-label="Bar chart of the answers to q1&lt;') == 1
    assert "<td>key</td>" in page and "<sub>pb</sub>" in page  # the template's own markup stays
