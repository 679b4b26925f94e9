// A page with several forms (the month page: the indicators, the report's narrative, the unlock
// request): sending one reloads the page, and what was typed in another and not saved would be lost.
// Before such a send, ask; the user may cancel and save the other form first. Forms name themselves in
// the question with data-unsaved-label. Without JavaScript the forms just send.
(function () {
  "use strict";
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-unsaved-label]"));
  if (forms.length < 2) return;
  var edited = [];
  function mark(event) {
    if (edited.indexOf(event.currentTarget) < 0) edited.push(event.currentTarget);
  }
  forms.forEach(function (form) {
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    form.addEventListener("submit", function (event) {
      var others = edited.filter(function (other) { return other !== form; });
      if (!others.length) return;
      var names = others.map(function (other) { return "「" + other.getAttribute("data-unsaved-label") + "」"; });
      var question = names.join("、") + "中有尚未保存的修改，提交本表后将丢失。仍要提交吗？";
      if (!window.confirm(question)) {
        event.preventDefault();
      }
    });
  });
})();
