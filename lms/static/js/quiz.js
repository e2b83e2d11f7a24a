/* Quiz attempt: save each answer as it is given, show the time left, confirm before submitting. */
(function () {
  "use strict";
  var script = document.currentScript;
  var form = document.querySelector("form.quiz-form");
  if (!form) { return; }
  var saveUrl = form.dataset.saveUrl;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  var submitted = false;
  var timers = [];

  function save(fieldset) {
    if (submitted) { return; }  // the submit carries every answer; a late autosave would be refused
    var data = new FormData();
    fieldset.querySelectorAll("input, select").forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      if (input.name) { data.append(input.name, input.value); }
    });
    var status = fieldset.querySelector(".save-status");
    fetch(saveUrl, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (body) {
        status.textContent = response.ok ? script.dataset.saved : (body.error || script.dataset.failed);
      });
    }).catch(function () { status.textContent = script.dataset.failed; });
  }

  form.querySelectorAll("fieldset.question").forEach(function (fieldset, index) {
    fieldset.addEventListener("change", function () { save(fieldset); });
    fieldset.addEventListener("input", function (event) {
      if (event.target.type !== "text") { return; }
      clearTimeout(timers[index]);
      timers[index] = setTimeout(function () { save(fieldset); }, 800);
    });
  });

  form.addEventListener("submit", function (event) {
    var button = form.querySelector("button[type=submit]");
    if (submitted || (button.dataset.confirm && !window.confirm(button.dataset.confirm))) {
      event.preventDefault();
      return;
    }
    submitted = true;
    button.disabled = true;
  });

  var clock = document.querySelector(".timer[data-deadline]");
  if (clock) {
    var deadline = new Date(clock.dataset.deadline).getTime();
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      if (left === 0) {
        clock.textContent = script.dataset.timeup;
        submitted = true;
        form.submit();
        return;
      }
      var minutes = Math.floor(left / 60), seconds = left % 60;
      clock.textContent = script.dataset.left + ": " + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
