// Added by solidarity_course.sphinx_accessibility.
// Embedded ipywidgets sliders render a role="slider" handle with no accessible
// name (axe: aria-input-field-name); the widget's visible description label is
// beside it. This names each handle after that label once the widgets render.
(function () {
  "use strict";
  var count = 0;

  function labelHandles(root) {
    root.querySelectorAll(".widget-slider, .widget-hslider, .widget-vslider").forEach(function (widget) {
      var label = widget.querySelector(".widget-label");
      if (!label || !label.textContent.trim()) return;
      if (!label.id) label.id = "course-widget-label-" + (++count);
      widget.querySelectorAll('[role="slider"]').forEach(function (handle) {
        if (!handle.hasAttribute("aria-label") && !handle.hasAttribute("aria-labelledby")) {
          handle.setAttribute("aria-labelledby", label.id);
        }
      });
    });
  }

  function start() {
    labelHandles(document);
    new MutationObserver(function () { labelHandles(document); })
      .observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
