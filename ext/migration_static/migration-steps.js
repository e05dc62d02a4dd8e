// Migration steps: keep the state of every checklist checkbox in the browser.
// Boxes with the same key (a step ticked in the checklist and on its own page)
// stay in step. Nothing leaves the browser; without localStorage the boxes
// still work for the life of the page.
"use strict";

(() => {
  const PREFIX = "eventlet-migration-guide:step:";

  function load(key) {
    try {
      return window.localStorage.getItem(PREFIX + key) === "1";
    } catch (error) {
      return false;
    }
  }

  function save(key, checked) {
    try {
      window.localStorage.setItem(PREFIX + key, checked ? "1" : "0");
    } catch (error) {
      // Storage disabled or full: the box still toggles on this page.
    }
  }

  function start() {
    const boxes = Array.from(document.querySelectorAll("input.migration-check"));
    for (const box of boxes) {
      const key = box.dataset.migrationKey;
      box.checked = load(key);
      box.addEventListener("change", () => {
        save(key, box.checked);
        for (const other of boxes) {
          if (other !== box && other.dataset.migrationKey === key) {
            other.checked = box.checked;
          }
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
