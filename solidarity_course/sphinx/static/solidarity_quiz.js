/* Self-check quizzes of "In Common They Fought?" (no kernel, no network).
 *
 * Each <section class="scq"> carries its type in data-qtype and what it needs
 * to check an answer in data-key (self-check questions only; graded questions
 * are never rendered).  Scoring mirrors solidarity_course/quiz/scoring.py;
 * verdict texts mirror scoring.verdict_text.  Keyboard: native controls only
 * (radios, checkboxes, selects, text inputs and buttons).
 */
(function () {
  "use strict";

  function normalise(text) {
    return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  /* Mirrors scoring.percent, scoring.tally_text and scoring.verdict_text. */
  var TALLY_NOUNS = {
    multiple_select: "right choices ticked",
    matching: "matched correctly",
    ordering: "in the right place"
  };

  function tallyText(type, parts) {
    var text = parts.right + " of " + parts.total + " " + TALLY_NOUNS[type];
    if (parts.wrong) text += ", " + parts.wrong + " wrong";
    if (parts.blank) text += ", " + parts.blank + " not answered";
    return text;
  }

  function percent(score) { return Math.floor(score * 100 + 0.5); }

  function verdict(score, blank, malformed, parts) {
    if (blank) return "No answer yet: choose or type an answer, then press Check.";
    if (malformed) return "Answer not in the expected form: " + malformed;
    if (score >= 1 - 1e-9) return "Correct.";
    if (score > 0) {
      return "Partly correct: " + (parts ? parts + " (" + percent(score) + "% of the credit)"
        : percent(score) + "% of the credit") + ".";
    }
    return parts ? "Not correct: " + parts + "." : "Not correct.";
  }

  /* The verdict of a response, as scoring.feedback(...).verdict. */
  function verdictFor(type, key, resp) {
    if (isBlank(type, resp)) return verdict(0, true);
    var result = score(type, key, resp);
    return verdict(result.score, false, result.malformed,
      result.parts ? tallyText(type, result.parts) : "");
  }

  /* "Score: 2.5 of 4", as scoring.score_line. */
  function scoreLine(earned, total) {
    return "Score: " + (Math.round(earned * 100) / 100) + " of " + total;
  }

  function parseNumber(raw) {
    var text = String(raw).trim().replace("\u2212", "-");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
    var value = Number(text);
    return isFinite(value) ? value : null;
  }

  function response(q) {
    var type = q.dataset.qtype;
    if (type === "single_choice" || type === "spot_device") {
      var picked = q.querySelector("input[type=radio]:checked");
      return picked ? picked.value : null;
    }
    if (type === "multiple_select") {
      return Array.prototype.map.call(
        q.querySelectorAll("input[type=checkbox]:checked"), function (el) { return el.value; });
    }
    if (type === "matching") {
      var map = {};
      q.querySelectorAll("select[data-item]").forEach(function (el) {
        map[el.dataset.item] = el.value || null;
      });
      return map;
    }
    if (type === "ordering") {
      return Array.prototype.map.call(
        q.querySelectorAll(".scq-order > li"), function (li) { return li.dataset.item; });
    }
    return q.querySelector("input[type=text]").value;
  }

  function isBlank(type, resp) {
    if (resp === null || resp === undefined) return true;
    if (typeof resp === "string") return resp.trim() === "";
    if (Array.isArray(resp)) return resp.length === 0;
    return Object.keys(resp).every(function (k) { return resp[k] === null; });
  }

  /* Returns {score, malformed}; mirrors scoring.raw_score. */
  function score(type, key, resp) {
    var i, right = 0;
    if (type === "single_choice" || type === "spot_device") {
      return { score: resp === key.answer ? 1 : 0 };
    }
    if (type === "multiple_select") {
      var good = 0, bad = 0;
      resp.forEach(function (id) { if (key.answer.indexOf(id) >= 0) good++; else bad++; });
      var ticked = { right: good, total: key.answer.length, wrong: bad };
      if (!key.partial) {
        return { score: (good === key.answer.length && bad === 0) ? 1 : 0, parts: ticked };
      }
      return { score: Math.max(0, (good - bad) / key.answer.length), parts: ticked };
    }
    if (type === "matching") {
      var items = Object.keys(key.answer), blank = 0;
      items.forEach(function (id) {
        if (resp[id] === key.answer[id]) right++;
        if (resp[id] === null || resp[id] === undefined || resp[id] === "") blank++;
      });
      var matched = { right: right, total: items.length, blank: blank };
      if (!key.partial) return { score: right === items.length ? 1 : 0, parts: matched };
      return { score: right / items.length, parts: matched };
    }
    if (type === "ordering") {
      for (i = 0; i < key.answer.length; i++) if (resp[i] === key.answer[i]) right++;
      var placed = { right: right, total: key.answer.length };
      if (!key.partial) return { score: right === key.answer.length ? 1 : 0, parts: placed };
      return { score: right / key.answer.length, parts: placed };
    }
    if (type === "numeric") {
      var value = parseNumber(resp);
      if (value === null) return { score: 0, malformed: "\u201c" + String(resp).trim() + "\u201d is not a number" };
      return { score: Math.abs(value - key.answer) <= key.tolerance + 1e-9 ? 1 : 0 };
    }
    if (type === "short_text") {
      return { score: key.accepted.indexOf(normalise(resp)) >= 0 ? 1 : 0 };
    }
    return { score: 0, malformed: "unknown question type" };
  }

  function showFeedback(q, type, key, resp, result) {
    var region = q.querySelector(".scq-feedback");
    var correct = result.score >= 1 - 1e-9;
    var show = [];
    if (type === "single_choice" || type === "spot_device") {
      show.push('[data-fb-option="' + CSS.escape(resp) + '"]');
    } else if (type === "multiple_select") {
      resp.forEach(function (id) { show.push('[data-fb-option="' + CSS.escape(id) + '"]'); });
    } else if (type === "matching") {
      Object.keys(key.answer).forEach(function (id) {
        // Items left blank get no feedback: it would give their answer away.
        if (resp[id] !== null && resp[id] !== key.answer[id]) show.push('[data-fb-item="' + CSS.escape(id) + '"]');
      });
    } else if (type === "ordering") {
      resp.forEach(function (id, pos) {
        if (id !== key.answer[pos]) show.push('[data-fb-item="' + CSS.escape(id) + '"]');
      });
    }
    show.push('[data-fb-general="' + (correct ? "correct" : "incorrect") + '"]');
    region.querySelectorAll(".scq-fb").forEach(function (el) { el.hidden = true; });
    show.forEach(function (sel) {
      var el = region.querySelector(".scq-fb" + sel);
      if (el) el.hidden = false;
    });
    region.querySelector(".scq-explanation").hidden = !correct;
    var partial = !correct && result.score > 0;
    q.classList.toggle("scq-is-correct", correct);
    q.classList.toggle("scq-is-partial", partial);
    q.classList.toggle("scq-is-incorrect", !correct && !partial);
  }

  /* The quiz's running total: the last check of each question, in points. */
  function updateTotal(q) {
    var quiz = q.closest(".scq-quiz");
    var line = quiz && quiz.querySelector(".scq-total");
    if (!line) return;
    var earned = 0, total = 0, checked = false;
    quiz.querySelectorAll("section.scq").forEach(function (s) {
      total += Number(s.dataset.points);
      if (s._earned !== undefined) { earned += s._earned; checked = true; }
    });
    line.textContent = scoreLine(earned, total);
    var resetAll = quiz.querySelector(".scq-reset-all");
    if (resetAll) resetAll.hidden = !checked;
  }

  function check(q) {
    var type = q.dataset.qtype;
    var key = JSON.parse(q.dataset.key);
    var resp = response(q);
    var region = q.querySelector(".scq-feedback");
    region.querySelectorAll(".scq-fb").forEach(function (el) { el.hidden = true; });
    region.querySelector(".scq-explanation").hidden = true;
    q.classList.remove("scq-is-correct", "scq-is-partial", "scq-is-incorrect");
    region.querySelector(".scq-verdict").textContent = verdictFor(type, key, resp);
    var result = isBlank(type, resp) ? { score: 0, malformed: "blank" } : score(type, key, resp);
    if (!result.malformed) showFeedback(q, type, key, resp, result);
    q._earned = result.malformed ? 0 : result.score * Number(q.dataset.points);
    q.querySelector(".scq-retry").hidden = false;
    updateTotal(q);
  }

  function reset(q, keepFocus) {
    q.querySelector("form").reset();
    var list = q.querySelector(".scq-order");
    if (list && list._initial) {
      list._initial.forEach(function (li) { list.appendChild(li); });
      updateMoveButtons(list);
    }
    var region = q.querySelector(".scq-feedback");
    region.querySelector(".scq-verdict").textContent = "";
    region.querySelectorAll(".scq-fb").forEach(function (el) { el.hidden = true; });
    region.querySelector(".scq-explanation").hidden = true;
    q.classList.remove("scq-is-correct", "scq-is-partial", "scq-is-incorrect");
    q.querySelector(".scq-retry").hidden = true;
    q._earned = undefined;
    updateTotal(q);
    if (keepFocus) return;
    var first = q.querySelector("fieldset input, fieldset select, fieldset button:enabled");
    if (first) first.focus();
  }

  /* The first item cannot go up nor the last down: those buttons are disabled. */
  function updateMoveButtons(list) {
    var items = list.children;
    Array.prototype.forEach.call(items, function (li, pos) {
      li.querySelector(".scq-up").disabled = pos === 0;
      li.querySelector(".scq-down").disabled = pos === items.length - 1;
    });
  }

  function move(q, button, delta) {
    var li = button.closest("li");
    var list = li.parentNode;
    var items = Array.prototype.slice.call(list.children);
    var pos = items.indexOf(li);
    var target = pos + delta;
    if (target < 0 || target >= items.length) return;
    if (delta < 0) list.insertBefore(li, items[target]);
    else list.insertBefore(li, items[target].nextSibling);
    updateMoveButtons(list);
    // Keep the focus on the moved item, on its other button once this one is disabled.
    (button.disabled ? li.querySelector(delta < 0 ? ".scq-down" : ".scq-up") : button).focus();
    var status = q.querySelector(".scq-order-status");
    if (status) {
      status.textContent = li.querySelector(".scq-item-text").textContent.trim() +
        ": now " + (target + 1) + " of " + items.length + ".";
    }
  }

  function init(q) {
    if (q.dataset.scqReady) return;
    q.dataset.scqReady = "1";
    var list = q.querySelector(".scq-order");
    if (list) {
      list._initial = Array.prototype.slice.call(list.children);
      updateMoveButtons(list);
    }
    q.querySelector("form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      check(q);
    });
    q.querySelector(".scq-retry").addEventListener("click", function () { reset(q); });
    q.querySelectorAll(".scq-up").forEach(function (b) {
      b.addEventListener("click", function () { move(q, b, -1); });
    });
    q.querySelectorAll(".scq-down").forEach(function (b) {
      b.addEventListener("click", function () { move(q, b, 1); });
    });
  }

  function initQuiz(quiz) {
    var resetAll = quiz.querySelector(".scq-reset-all");
    if (!resetAll || resetAll.dataset.scqReady) return;
    resetAll.dataset.scqReady = "1";
    resetAll.addEventListener("click", function () {
      quiz.querySelectorAll("section.scq").forEach(function (q) { reset(q, true); });
      // The written answer's text stays: only the ticks and the outline are reset.
      quiz.querySelectorAll("section.scq-written").forEach(function (w) { if (w._reset) w._reset(); });
      var first = quiz.querySelector("section.scq fieldset input, section.scq fieldset select");
      if (first) first.focus();
    });
  }

  /* An explorer: a <select> (or range input) shows the precomputed panel of its value. */
  function initExplorer(box) {
    if (box.dataset.scqReady) return;
    box.dataset.scqReady = "1";
    var control = box.querySelector(".scx-control");
    var panels = box.querySelectorAll(".scx-panel");
    var output = box.querySelector("output");
    function show() {
      var index = Number(control.value);
      panels.forEach(function (panel, i) { panel.hidden = i !== index; });
      var label = panels[index].dataset.label;
      if (output) output.textContent = label;
      if (control.type === "range") control.setAttribute("aria-valuetext", label);
    }
    control.addEventListener("input", show);
    control.addEventListener("change", show);
    show();
  }

  /* "Your self-assessment: 3 of 5 points.", as scoring.self_assessment_line. */
  function selfAssessmentLine(earned, total) {
    return "Your self-assessment: " + (Math.round(earned * 100) / 100) + " of " + total +
      " points.";
  }

  /* A written answer assessed by the reader: the ticked criteria's points, the outline. */
  function initWritten(box) {
    if (box.dataset.scqReady) return;
    box.dataset.scqReady = "1";
    var line = box.querySelector(".scq-self-total");
    var boxes = box.querySelectorAll(".scq-rubric input[type=checkbox]");
    function tally() {
      var earned = 0;
      boxes.forEach(function (c) { if (c.checked) earned += Number(c.dataset.points); });
      line.textContent = selfAssessmentLine(earned, Number(line.dataset.total));
    }
    boxes.forEach(function (c) { c.addEventListener("change", tally); });
    var toggle = box.querySelector(".scq-outline-toggle");
    var outline = box.querySelector(".scq-outline");
    toggle.addEventListener("click", function () {
      var show = outline.hidden;
      outline.hidden = !show;
      toggle.setAttribute("aria-expanded", show ? "true" : "false");
      toggle.textContent = show ? "Hide how historians answer it" : "Show how historians answer it";
    });
    box._reset = function () {
      boxes.forEach(function (c) { c.checked = false; });
      tally();
      outline.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      toggle.textContent = "Show how historians answer it";
    };
    tally();
  }

  function initAll() {
    document.querySelectorAll("section.scq").forEach(init);
    document.querySelectorAll("section.scq-written").forEach(initWritten);
    document.querySelectorAll(".scq-quiz").forEach(initQuiz);
    document.querySelectorAll(".scx-explorer").forEach(initExplorer);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
  window.solidarityQuiz = {
    normalise: normalise, score: score, verdict: verdictFor, scoreLine: scoreLine,
    selfAssessmentLine: selfAssessmentLine, init: initAll
  };
})();
