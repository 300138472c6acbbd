// The search filters on a small screen: folded away behind a "Show filters" button, so the
// results come first. Without JavaScript the button stays hidden and the filters open.
(function () {
  "use strict";
  var toggle = document.querySelector(".app-filters-toggle");
  var filters = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!filters) {
    return;
  }
  function show(open) {
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Hide filters" : "Show filters";
    filters.classList.toggle("app-filters--folded", !open);
  }
  toggle.hidden = false;
  show(false);
  toggle.addEventListener("click", function () {
    show(toggle.getAttribute("aria-expanded") !== "true");
  });
})();
