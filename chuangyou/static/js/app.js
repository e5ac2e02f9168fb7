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
// htmx requests from elements marked data-confirm ask first as well.
document.addEventListener("htmx:confirm", function (event) {
  const message = event.detail.elt.dataset && event.detail.elt.dataset.confirm;
  if (!message) return;
  event.preventDefault();
  if (window.confirm(message)) event.detail.issueRequest(true);
});
