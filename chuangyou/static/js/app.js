// Buttons marked data-confirm ask before submitting their form (destructive actions).
document.addEventListener("submit", function (event) {
  // htmx forms are handled by htmx itself (see htmx:confirm below).
  if (event.target.matches("[hx-post], [hx-get]")) return;
  const button = event.submitter;
  const message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
    return;
  }
  // One submission per click: a double click must not post the form twice.
  if (event.target.dataset.submitted === "1") {
    event.preventDefault();
    return;
  }
  event.target.dataset.submitted = "1";
  if (button) button.classList.add("disabled");
});
// A page restored from the back-forward cache may submit again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitted]").forEach(function (form) { delete form.dataset.submitted; });
  document.querySelectorAll("button.disabled[type=submit]").forEach(function (b) { b.classList.remove("disabled"); });
});
// Print buttons (no inline handlers: the Content Security Policy forbids them).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
// "下一个未填": go to the first item the selector names after the one being filled (or the first of
// all), and put the cursor in it.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-next-unfilled]");
  if (!button) return;
  const open = Array.from(document.querySelectorAll(button.dataset.nextUnfilled));
  if (!open.length) return;
  const here = document.activeElement && document.activeElement.closest("[data-item]");
  const next = open.find(function (el) {
    return here && (here.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) && !here.contains(el);
  }) || open[0];
  const item = next.closest("[data-item]") || next;
  item.scrollIntoView({ block: "start" });
  const input = next.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
  if (input) input.focus({ preventScroll: true });
});
// htmx requests from elements marked data-confirm ask first as well.
document.addEventListener("htmx:confirm", function (event) {
  const message = event.detail.elt.dataset && event.detail.elt.dataset.confirm;
  if (!message) return;
  event.preventDefault();
  if (window.confirm(message)) event.detail.issueRequest(true);
});
// Autosave of the item forms (marked data-autosave, htmx trigger "autosave"). A ticked box saves at
// once; typed values save when the focus leaves the item, so a half-filled item (a score waiting for
// its reason, a word still in the input method) is never sent and swapped away while it is typed.
// Until an item is saved, what was typed is kept in the browser as a draft, also across reloads.
(function () {
  // Per user: on an office computer shared by two clerks, one's draft never appears on the other's page.
  function draftKey(form) { return "chuangyou-draft:" + (document.body.dataset.user || "") + ":" + form.getAttribute("action"); }
  function dropDraft(form) { try { window.localStorage.removeItem(draftKey(form)); } catch (e) { /* storage off */ } }
  function values(form) {
    const kept = {};
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (input) {
      if (input.type === "hidden") return;
      kept[input.name] = input.type === "checkbox" ? input.checked : input.value;
    });
    return kept;
  }
  // A draft holds the item's version it was typed on: one saved since (elsewhere) is not restored over.
  const VERSION = "__version";
  function version(form) {
    const input = form.querySelector("input[name=version]");
    return input ? input.value : "";
  }
  function keepDraft(form) {
    form.dataset.dirty = "1";
    const kept = values(form);
    kept[VERSION] = version(form);
    try { window.localStorage.setItem(draftKey(form), JSON.stringify(kept)); } catch (e) { /* storage full or off */ }
  }
  function note(form, testid, text) {
    const div = document.createElement("div");
    div.className = "alert alert-warning py-1 px-2 mb-2 small";
    div.setAttribute("role", "status");
    div.dataset.testid = testid;
    div.textContent = text;
    form.prepend(div);
  }
  function save(form) {
    if (form.dataset.dirty === "1") window.htmx.trigger(form, "autosave");
  }
  document.addEventListener("input", function (event) {
    const form = event.target.closest("form[data-autosave]");
    if (form) keepDraft(form);
  });
  document.addEventListener("change", function (event) {
    const form = event.target.closest("form[data-autosave]");
    if (!form) return;
    keepDraft(form);
    if (event.target.type === "checkbox") save(form);
  });
  document.addEventListener("focusout", function (event) {
    const form = event.target.closest("form[data-autosave]");
    if (form && !(event.relatedTarget && form.contains(event.relatedTarget))) save(form);
  });
  // The item as the server answered: a save it accepted ends the draft, a refused one keeps it (the
  // form shows what was typed again, beside the errors).
  document.addEventListener("htmx:load", function (event) {
    const root = event.detail.elt;
    const forms = root.matches && root.matches("form[data-autosave]") ? [root] : root.querySelectorAll ? root.querySelectorAll("form[data-autosave]") : [];
    forms.forEach(function (form) {
      if (form.hasAttribute("data-refused")) keepDraft(form);
      else if (form.hasAttribute("data-saved")) dropDraft(form);
    });
  });
  function restore() {
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      let draft = null;
      try { draft = JSON.parse(window.localStorage.getItem(draftKey(form)) || "null"); } catch (e) { draft = null; }
      if (!draft || form.querySelector("fieldset[disabled]")) return;
      if (VERSION in draft && draft[VERSION] !== version(form)) {
        dropDraft(form);
        note(form, "draft-outdated", "本项已在其他页面或由他人修改，上次未保存的填写内容未恢复，请核对后重新填写");
        return;
      }
      let changed = false;
      form.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (input) {
        if (!(input.name in draft) || input.type === "hidden") return;
        if (input.type === "checkbox") {
          if (input.checked !== draft[input.name]) { input.checked = draft[input.name]; changed = true; }
        } else if (input.value !== draft[input.name]) { input.value = draft[input.name]; changed = true; }
      });
      if (!changed) { dropDraft(form); return; }
      form.dataset.dirty = "1";
      note(form, "draft-restored", "已恢复上次未保存的填写内容，请核对后点“保存本项”（或离开本项时自动保存）");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restore);
  else restore();
})();
