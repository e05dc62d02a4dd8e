// SPDX-License-Identifier: MIT
// Keyboard and screen-reader fixes to the guide's pages (ext/html_access.py).
"use strict";

(() => {
  // -- Regions that scroll sideways take keyboard focus ----------------------
  // A keyboard user scrolls a region with the arrow keys once it has focus; a
  // region with nothing focusable inside cannot get it without a tabindex
  // (WCAG 2.1.1; axe-core: scrollable-region-focusable). Only regions that
  // overflow now get a tab stop, and a name that says what they hold.
  const CANDIDATES = "article pre, article .table-wrapper, article .diagram-frame";
  const MARK = "scrollFocus";

  // Names must differ: each named region is a landmark (axe-core:
  // landmark-unique). A caption names a region; else its place on the page.
  function kindOf(region) {
    if (region.matches(".table-wrapper")) return "Table";
    if (region.matches(".diagram-frame")) return "Diagram";
    return "Code example";
  }

  function nameOf(region, regions) {
    const kind = kindOf(region);
    const place = regions.filter((other) => kindOf(other) === kind);
    const number = place.indexOf(region) + 1;
    let caption = null;
    if (kind === "Table") {
      caption = region.querySelector("caption .caption-text, caption");
    } else if (kind === "Diagram") {
      const figure = region.closest("figure");
      caption = figure && figure.querySelector("figcaption .caption-text, figcaption");
    } else {
      const wrapper = region.closest(".literal-block-wrapper");
      caption = wrapper && wrapper.querySelector(".code-block-caption .caption-text");
    }
    const text = caption ? `: ${caption.textContent.trim()}` : "";
    return `${kind} ${number}${text}`;
  }

  function update(region, regions) {
    const overflows =
      region.scrollWidth > region.clientWidth + 1 ||
      region.scrollHeight > region.clientHeight + 1;
    const marked = MARK in region.dataset;
    if (overflows && !marked && !region.hasAttribute("tabindex")) {
      region.dataset[MARK] = "";
      region.tabIndex = 0;
      region.setAttribute("role", "region");
      region.setAttribute("aria-label", `${nameOf(region, regions)} (scrolls sideways)`);
    } else if (!overflows && marked) {
      delete region.dataset[MARK];
      region.removeAttribute("tabindex");
      region.removeAttribute("role");
      region.removeAttribute("aria-label");
    }
  }

  function watchScrollRegions() {
    const regions = Array.from(document.querySelectorAll(CANDIDATES));
    for (const region of regions) update(region, regions);
    if ("ResizeObserver" in window) {
      // A resized window, or a tab that shows a hidden code block.
      const observer = new ResizeObserver((entries) => {
        for (const entry of entries) update(entry.target, regions);
      });
      for (const region of regions) observer.observe(region);
    }
    document.documentElement.dataset.scrollRegions = "ready";
  }

  // -- Search from disk ------------------------------------------------------
  // Sphinx's search script fetches each result's page for an excerpt; a
  // browser refuses fetch() on file:// URLs and logs an error per result.
  // Opened from disk, the results come without excerpts, and the page says so.
  const fromDisk = window.location.protocol === "file:";
  if (fromDisk && typeof DOCUMENTATION_OPTIONS !== "undefined") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  }

  function noteSearchFromDisk() {
    const results = document.getElementById("search-results");
    if (!fromDisk || !results) return;
    const note = document.createElement("p");
    note.className = "search-from-disk";
    note.textContent =
      "This copy of the guide was opened from disk, so results show no " +
      "excerpts. Serve it (for example: python -m http.server, in the " +
      "HTML directory) to see them.";
    results.before(note);
  }

  function start() {
    watchScrollRegions();
    noteSearchFromDisk();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
