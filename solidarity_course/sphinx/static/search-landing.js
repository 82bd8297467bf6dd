// Written for solidarity_course.sphinx.reader: a page opened from a search result lands
// on the first match of the searched words, highlighted, instead of at the top of a long
// chapter. Sphinx's search page leaves the words in localStorage ("sphinx_highlight_terms")
// or in ?highlight=; its own highlighter stays idle on pages that load the search script,
// as every page of this theme does, and would also walk into <style> and <script>.
(function () {
  "use strict";
  const KEY = "sphinx_highlight_terms";
  const url = new URL(window.location);
  const words = (localStorage.getItem(KEY) || url.searchParams.get("highlight") || "")
    .toLowerCase().split(/\s+/).filter((w) => w.length > 1);
  localStorage.removeItem(KEY);
  if (!words.length) return;

  function highlight(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => node.parentElement.closest("style, script, svg, button, select, textarea")
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    const hits = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue.toLowerCase();
      const word = words.find((w) => text.includes(w));
      if (word) hits.push([node, text.indexOf(word), word.length]);
    }
    return hits.map(([node, at, length]) => {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + length);
      const mark = document.createElement("span");
      mark.className = "highlighted";
      range.surroundContents(mark);
      return mark;
    });
  }

  function land() {
    const article = document.querySelector("article.bd-article") || document.body;
    const marks = article.querySelectorAll(".highlighted").length
      ? [...article.querySelectorAll(".highlighted")] : highlight(article);
    const visible = marks.find((m) => m.getClientRects().length);
    if (visible && !window.location.hash) visible.scrollIntoView({ block: "center" });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", land);
  else land();
})();
