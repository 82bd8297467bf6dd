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

  function verdict(score, blank, malformed) {
    if (blank) return "No answer yet: choose or type an answer, then press Check.";
    if (malformed) return "Answer not in the expected form: " + malformed;
    if (score >= 1 - 1e-9) return "Correct.";
    if (score > 0) return "Partly correct: " + Math.round(score * 100) + "% of the credit.";
    return "Not correct.";
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
      if (!key.partial) {
        return { score: (good === key.answer.length && bad === 0) ? 1 : 0 };
      }
      return { score: Math.max(0, (good - bad) / key.answer.length) };
    }
    if (type === "matching") {
      var items = Object.keys(key.answer);
      items.forEach(function (id) { if (resp[id] === key.answer[id]) right++; });
      if (!key.partial) return { score: right === items.length ? 1 : 0 };
      return { score: right / items.length };
    }
    if (type === "ordering") {
      for (i = 0; i < key.answer.length; i++) if (resp[i] === key.answer[i]) right++;
      if (!key.partial) return { score: right === key.answer.length ? 1 : 0 };
      return { score: right / key.answer.length };
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
        if (resp[id] !== key.answer[id]) show.push('[data-fb-item="' + CSS.escape(id) + '"]');
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
    q.classList.toggle("scq-is-correct", correct);
    q.classList.toggle("scq-is-incorrect", !correct);
  }

  function check(q) {
    var type = q.dataset.qtype;
    var key = JSON.parse(q.dataset.key);
    var resp = response(q);
    var region = q.querySelector(".scq-feedback");
    var verdictEl = region.querySelector(".scq-verdict");
    region.querySelectorAll(".scq-fb").forEach(function (el) { el.hidden = true; });
    region.querySelector(".scq-explanation").hidden = true;
    q.classList.remove("scq-is-correct", "scq-is-incorrect");
    if (isBlank(type, resp)) {
      verdictEl.textContent = verdict(0, true);
    } else {
      var result = score(type, key, resp);
      verdictEl.textContent = verdict(result.score, false, result.malformed);
      if (!result.malformed) showFeedback(q, type, key, resp, result);
    }
    q.querySelector(".scq-retry").hidden = false;
  }

  function reset(q) {
    q.querySelector("form").reset();
    var list = q.querySelector(".scq-order");
    if (list && list._initial) {
      list._initial.forEach(function (li) { list.appendChild(li); });
    }
    var region = q.querySelector(".scq-feedback");
    region.querySelector(".scq-verdict").textContent = "";
    region.querySelectorAll(".scq-fb").forEach(function (el) { el.hidden = true; });
    region.querySelector(".scq-explanation").hidden = true;
    q.classList.remove("scq-is-correct", "scq-is-incorrect");
    q.querySelector(".scq-retry").hidden = true;
    var first = q.querySelector("fieldset input, fieldset select, fieldset button");
    if (first) first.focus();
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
    button.focus();
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
    if (list) list._initial = Array.prototype.slice.call(list.children);
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

  function initAll() { document.querySelectorAll("section.scq").forEach(init); }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
  window.solidarityQuiz = { normalise: normalise, score: score, init: initAll };
})();
