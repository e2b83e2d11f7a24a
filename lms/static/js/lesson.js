/* Lesson page: no double submits, and reading time sent when the learner leaves the tab (kept on
   the phone by offline.js when there is no connection). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
  var script = document.currentScript;
  var url = script && script.dataset.timeUrl;
  if (!url || !navigator.sendBeacon) { return; }
  var token = script.dataset.csrf;
  if (!token) { return; }
  var visibleSince = document.visibilityState === "visible" ? Date.now() : null;
  var pending = 0;
  function flush() {
    if (visibleSince !== null) { pending += Date.now() - visibleSince; visibleSince = null; }
    var seconds = Math.round(pending / 1000);
    if (seconds < 1) { return; }
    if (!navigator.onLine && window.cpcOffline) {  // read offline: kept on the phone, sent later
      window.cpcOffline.queueTime(parseInt(script.dataset.lesson, 10), seconds);
      pending = 0;
      return;
    }
    var data = new FormData();
    data.append("seconds", String(seconds));
    data.append("csrfmiddlewaretoken", token);
    if (navigator.sendBeacon(url, data)) { pending = 0; }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flush(); } else { visibleSince = Date.now(); }
  });
  window.addEventListener("pagehide", flush);
})();
