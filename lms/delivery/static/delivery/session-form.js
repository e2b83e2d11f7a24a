/* Suggests the duration of the chosen session plan, unless the facilitator typed one. */
(function () {
  "use strict";
  var source = document.getElementById("session-durations");
  var session = document.getElementById("id_session");
  var duration = document.getElementById("id_duration_minutes");
  if (!source || !session || !duration) return;
  var durations = JSON.parse(source.textContent);
  var typed = duration.value !== "";
  duration.addEventListener("input", function () { typed = duration.value !== ""; });
  session.addEventListener("change", function () {
    var minutes = durations[session.value];
    if (minutes && !typed) duration.value = minutes;
  });
})();
