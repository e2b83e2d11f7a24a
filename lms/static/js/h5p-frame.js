/* Runs inside each H5P player's frame (h5p-standalone's customJs): H5P saves the learner's
   place with jQuery POSTs, which Django's CSRF check accepts with the page's token. */
(function () {
  "use strict";
  var $ = window.H5P && window.H5P.jQuery;
  if (!$) { return; }
  var holder = window.parent && window.parent.document.querySelector("[data-csrf]");
  var token = holder && holder.dataset.csrf;
  if (!token) { return; }
  $.ajaxSetup({
    beforeSend: function (xhr, settings) {
      if (!/^(GET|HEAD|OPTIONS|TRACE)$/i.test(settings.type)) { xhr.setRequestHeader("X-CSRFToken", token); }
    }
  });
})();
