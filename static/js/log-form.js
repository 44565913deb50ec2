// Keeps a draft of the conversation form in this browser until it is saved, so a lost
// signal or a closed tab loses nothing, and stops a double tap from sending twice
// (the server also stores one conversation per form, whatever arrives).
(function () {
  var form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  var key = "earshot:" + form.dataset.draftKey;
  var store = window.sessionStorage;
  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();

  function save() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit") return;
      if (el.type === "radio" || el.type === "checkbox") {
        data[el.name + "=" + el.value] = el.checked;
      } else {
        data[el.name] = el.value;
      }
    });
    try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full or off */ }
  }

  function restore() {
    var raw;
    try { raw = store.getItem(key); } catch (e) { return; }
    if (!raw || errors) return; // a page with errors already carries what was typed
    var data = JSON.parse(raw);
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit") return;
      if (el.type === "radio" || el.type === "checkbox") {
        var k = el.name + "=" + el.value;
        if (k in data) el.checked = data[k];
      } else if (el.name in data) {
        el.value = data[el.name];
      }
    });
  }

  restore();
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function (event) {
    if (form.dataset.sending === "yes") { event.preventDefault(); return; }
    form.dataset.sending = "yes";
    var button = form.querySelector("button.save");
    // The words come from the page (data-saving-label), in the page's language.
    var label = button ? button.textContent : "";
    if (button) { button.setAttribute("aria-disabled", "true"); button.textContent = button.dataset.savingLabel || label; }
    // If the page is still here after a while the request failed; let them try again.
    window.setTimeout(function () {
      form.dataset.sending = "";
      if (button) { button.removeAttribute("aria-disabled"); button.textContent = label; }
    }, 8000);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) form.dataset.sending = "";
  });
})();
