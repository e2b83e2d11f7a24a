/* H5P players in a lesson: start them one after another, send their xAPI statements to the
   server in order, and say what happened. The player itself is h5p-standalone (npm). */
(function () {
  "use strict";
  // frame.bundle.js (loaded by the first player) replaces window.H5PStandalone: keep it now.
  var Standalone = window.H5PStandalone && window.H5PStandalone.H5P;
  var elements = Array.prototype.slice.call(document.querySelectorAll("[data-h5p-player]"));
  if (!Standalone || !elements.length) { return; }

  // No CDN: H5P.MathDisplay would fetch MathJax from one. Formulas stay as typed.
  window.H5PIntegration = window.H5PIntegration || {};
  window.H5PIntegration.libraryConfig = { "H5P.MathDisplay": { renderer: { none: {} } } };

  var byIri = {};

  function Sender(element) {
    this.element = element;
    this.url = element.dataset.xapiUrl;
    this.token = element.dataset.csrf;
    this.queue = [];
    this.busy = false;
    this.status = document.querySelector('[data-h5p-status="' + element.id + '"]');
  }

  Sender.prototype.push = function (statement) {
    this.queue.push(statement);
    this.flush();
  };

  Sender.prototype.say = function (text) {
    if (this.status) { this.status.textContent = text; }
  };

  // One request at a time, so the server sees statements in the order the player made them.
  Sender.prototype.flush = function () {
    var self = this;
    if (self.busy || !self.queue.length) { return; }
    var batch = self.queue.splice(0, 50);
    self.busy = true;
    fetch(self.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": self.token, "X-Requested-With": "fetch" },
      body: JSON.stringify(batch)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok) {
          self.report(body);
        } else if (response.status >= 500) {
          throw new Error("server");
        } else {
          self.say(body.error || self.element.dataset.errorText);
        }
      });
    }).then(function () {
      self.busy = false;
      self.flush();
    }, function () {
      // Offline or a server error: keep the statements and try again a little later.
      self.queue = batch.concat(self.queue);
      self.say(self.element.dataset.errorText);
      setTimeout(function () { self.busy = false; self.flush(); }, 5000);
    });
  };

  Sender.prototype.report = function (body) {
    var attempts = body.attempts || [];
    if (!attempts.length) { return; }
    var last = attempts[attempts.length - 1];
    var text = last.scaled === null || last.scaled === undefined
      ? this.element.dataset.savedText
      : this.element.dataset.scoreText.replace("{score}", Math.round(last.scaled * 100) + "%");
    if (body.lesson_completed) { text += " " + this.element.dataset.completedText; }
    this.say(text);
    this.element.dispatchEvent(new CustomEvent("h5p:recorded", { bubbles: true, detail: body }));
  };

  function onStatement(event) {
    var statement = event && event.data && event.data.statement;
    var id = statement && statement.object && statement.object.id;
    if (typeof id !== "string") { return; }
    var sender = byIri[id.split("?")[0]];
    if (sender && sender.url) { sender.push(statement); }
  }

  function listen() {
    // Each frame.bundle.js load brings a new H5P object: listen on the current one, once.
    var dispatcher = window.H5P && window.H5P.externalDispatcher;
    if (dispatcher && !dispatcher.cpcListening) {
      dispatcher.cpcListening = true;
      dispatcher.on("xAPI", onStatement);
    }
  }

  function start(element) {
    var options = JSON.parse(document.getElementById(element.dataset.h5pPlayer).textContent);
    byIri[options.xAPIObjectIRI] = new Sender(element);
    var loading = element.querySelector(".h5p-loading");
    return new Standalone(element, options).then(function () {
      if (loading) { loading.remove(); }
      var frame = element.querySelector("iframe");
      if (frame) { frame.title = element.dataset.title; }
      listen();
    });
  }

  elements.reduce(function (previous, element) {
    return previous.then(function () { return start(element); }).catch(function (error) {
      if (window.console) { console.error("H5P player", element.id, error); }
    });
  }, Promise.resolve()).then(listen);
})();
