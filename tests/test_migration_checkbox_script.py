# SPDX-License-Identifier: MIT
"""The checkbox script of the migration steps, run in Node.js against a stub DOM.

It must restore each box from localStorage, save a change, tick the other
boxes with the same key, and keep working when storage is unavailable.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "ext" / "migration_static" / "migration-steps.js"

# A page with three boxes (two share a key), a storage that remembers one of
# them, and the events the script listens to.
HARNESS = r"""
const fs = require("fs");
const vm = require("vm");
const [scriptPath, storageWorks] = process.argv.slice(2);

function box(key) {
  const listeners = {};
  return {
    dataset: { migrationKey: key },
    checked: false,
    addEventListener(type, callback) { listeners[type] = callback; },
    click() { this.checked = !this.checked; listeners.change(); },
  };
}
const boxes = [box("hub"), box("hub"), box("hub/done/0")];
const saved = { "eventlet-migration-guide:step:hub/done/0": "1" };
const localStorage = {
  getItem(key) {
    if (storageWorks !== "yes") throw new Error("SecurityError");
    return key in saved ? saved[key] : null;
  },
  setItem(key, value) {
    if (storageWorks !== "yes") throw new Error("QuotaExceededError");
    saved[key] = value;
  },
};
const document = {
  readyState: "complete",
  querySelectorAll(selector) {
    if (selector !== "input.migration-check") throw new Error(selector);
    return boxes;
  },
  addEventListener() { throw new Error("the page is loaded already"); },
};
vm.runInNewContext(fs.readFileSync(scriptPath, "utf8"), { window: { localStorage }, document });
const restored = boxes.map((b) => b.checked);
boxes[0].click();
const afterClick = boxes.map((b) => b.checked);
console.log(JSON.stringify({ restored, afterClick, saved }));
"""


def run_script(tmp_path: Path, *, storage_works: bool) -> dict[str, object]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS, encoding="utf-8")
    result = subprocess.run(
        [node, str(harness), str(SCRIPT), "yes" if storage_works else "no"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(result.stdout)


def test_boxes_are_restored_saved_and_kept_in_step(tmp_path: Path):
    state = run_script(tmp_path, storage_works=True)
    # Only the remembered box starts ticked.
    assert state["restored"] == [False, False, True]
    # Ticking one "hub" box ticks the other "hub" box, and is remembered.
    assert state["afterClick"] == [True, True, True]
    assert state["saved"] == {
        "eventlet-migration-guide:step:hub/done/0": "1",
        "eventlet-migration-guide:step:hub": "1",
    }


def test_boxes_work_without_storage(tmp_path: Path):
    state = run_script(tmp_path, storage_works=False)
    assert state["restored"] == [False, False, False]
    assert state["afterClick"] == [True, True, False]
