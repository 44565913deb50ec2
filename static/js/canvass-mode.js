// Canvass mode: a tap on "Not home" (or moved, refused, inaccessible, no soliciting) goes to
// POST /api/v1/field/sync/ as one item with a UUID made here, so a retry stores it once. The
// door is marked done, the progress moves on, and the next door comes into view. Without
// script (or when the request cannot be made) the form posts to the page as usual.
(function () {
  "use strict";
  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function start() {
    var list = document.getElementById("doors");
    if (!list || !window.fetch) return;
    var progress = document.getElementById("door-progress");
    var label = document.getElementById("progress-label");
    function refreshProgress() {
      var total = list.querySelectorAll("li.door").length;
      var done = list.querySelectorAll("li.door.done").length;
      if (progress) { progress.value = done; progress.max = total; }
      if (label) label.textContent = label.dataset.template.replace("%(done)s", done).replace("%(total)s", total);
    }
    list.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList.contains("door-actions")) return;
      var button = event.submitter;
      if (!button || !button.value) return;
      event.preventDefault();
      var door = form.closest("li.door");
      var error = door.querySelector(".door-error");
      var key = form.dataset.clientUuid || uuid4();
      form.dataset.clientUuid = key;  // the same UUID on a retry of this tap
      Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
      fetch(list.dataset.syncUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
        body: JSON.stringify({ items: [{ type: "door_result", client_uuid: key, door: Number(door.dataset.door), result: button.value }] })
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (answer) {
        var item = answer.results[0];
        Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = false; });
        if (item.status === "refused") {
          var messages = [];
          Object.keys(item.errors).forEach(function (k) { messages = messages.concat(item.errors[k]); });
          error.textContent = messages.join(" ");
          error.hidden = false;
          return;
        }
        error.hidden = true;
        delete form.dataset.clientUuid;
        door.classList.add("done");
        var result = door.querySelector(".door-result");
        result.hidden = false;
        result.querySelector("span").textContent = button.textContent;
        refreshProgress();
        var next = door.nextElementSibling;
        while (next && next.classList.contains("done")) next = next.nextElementSibling;
        if (next) { next.scrollIntoView({ block: "start" }); if (history.replaceState) history.replaceState(null, "", "#" + next.id); }
      }).catch(function () {
        // No answer: let the page post it (same door, same result).
        Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = false; });
        var field = document.createElement("input");
        field.type = "hidden"; field.name = "result"; field.value = button.value;
        var keyField = document.createElement("input");
        keyField.type = "hidden"; keyField.name = "client_uuid"; keyField.value = key;
        form.appendChild(field); form.appendChild(keyField);
        form.submit();
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
