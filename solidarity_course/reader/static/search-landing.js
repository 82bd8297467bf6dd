// Written for solidarity_course.sphinx_reader: a page opened from a search result
// (?highlight=word) scrolls to the first match Sphinx highlighted, so the reader lands
// on the section that holds it. Sphinx's sphinx_highlight.js marks the matches when the
// document is ready; this runs after it.
(function () {
  "use strict";
  if (!new URLSearchParams(window.location.search).get("highlight")) return;
  if (window.location.hash) return; // the link already names a section
  function land() {
    const match = document.querySelector("article .highlighted, .bd-article .highlighted");
    if (match) match.scrollIntoView({ block: "center" });
  }
  if (document.readyState === "complete") setTimeout(land, 0);
  else window.addEventListener("load", () => setTimeout(land, 0));
})();
