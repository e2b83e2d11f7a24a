/* The sandboxed player frame: one H5P activity, played by h5p-standalone (npm), isolated from
   the site (an opaque origin: no cookies, no access to the lesson page). It talks to the lesson
   page through a narrow message bridge: it asks for its start-up data ("hello" → "init"), sends
   xAPI statements, asks the page to save or read the learner's place, says when it started or
   failed, what it did not load, and how tall it is. The page checks every message and does the
   requests with the learner's session and CSRF token. */
(function () {
  "use strict";
  // An opaque origin has no storage and no cookies: reading them throws, which stops H5P half-way
  // (its clipboard uses localStorage). Give the content a memory that lasts as long as the frame.
  function MemoryStorage() { this.items = {}; }
  MemoryStorage.prototype = {
    get length() { return Object.keys(this.items).length; },
    key: function (index) { return Object.keys(this.items)[index] || null; },
    getItem: function (name) { return Object.prototype.hasOwnProperty.call(this.items, name) ? this.items[name] : null; },
    setItem: function (name, value) { this.items[name] = String(value); },
    removeItem: function (name) { delete this.items[name]; },
    clear: function () { this.items = {}; }
  };
  ["localStorage", "sessionStorage"].forEach(function (name) {
    try { if (window[name]) { return; } } catch (error) { /* sandboxed: replace it below */ }
    try { Object.defineProperty(window, name, { value: new MemoryStorage(), configurable: true }); } catch (error) { /* keep */ }
  });
  try { void document.cookie; } catch (error) {
    try { Object.defineProperty(document, "cookie", { get: function () { return ""; }, set: function () {}, configurable: true }); } catch (e) { /* keep */ }
  }

  // frame.bundle.js (loaded by the player) replaces window.H5PStandalone: keep it now.
  var Standalone = window.H5PStandalone && window.H5PStandalone.H5P;
  var options = JSON.parse(document.getElementById("h5p-options").textContent);
  var cpc = options.cpc;
  delete options.cpc;
  var root = document.getElementById("h5p-root");
  var notice = document.getElementById("h5p-frame-message");
  var parentWindow = window.parent;
  var started = false, failed = false, nextId = 1, waiting = {}, explained = {};

  function post(message) {
    message.cpc = "h5p-frame";
    parentWindow.postMessage(message, cpc.parentOrigin);
  }

  function say(text) {
    notice.textContent = text;
    notice.hidden = false;
  }

  function fail(reason) {
    if (failed) { return; }
    failed = true;
    say(cpc.text.failed);
    post({ type: "failed", message: String(reason || "unknown error").slice(0, 500) });
  }

  // Used by h5p-frame-hooks.js, which runs once the libraries are loaded.
  window.cpcFrame = {
    post: post,
    blocked: cpc.blocked || [],
    text: cpc.text,
    request: function (message, callback) {
      var id = nextId++;
      waiting[id] = callback;
      message.id = id;
      post(message);
    }
  };

  // Anything else blocked by this frame's policy (a script or font from another host): say so.
  document.addEventListener("securitypolicyviolation", function (event) {
    var match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#:]+)/i.exec(event.blockedURI || "");
    var host = match ? match[1].toLowerCase() : (event.blockedURI || "");
    if (!host || explained[host]) { return; }
    explained[host] = true;
    var line = document.createElement("p");
    line.className = "cpc-blocked-media";
    line.textContent = cpc.text.blockedOther.replace("{host}", host);
    document.body.insertBefore(line, root);
    post({ type: "blocked", host: host, element: event.effectiveDirective || event.violatedDirective || "" });
  });

  function reportSize() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== reportSize.last) {
      reportSize.last = height;
      post({ type: "resize", height: height });
    }
  }

  function start(init) {
    if (started) { return; }
    started = true;
    if (!Standalone) { fail("the player's script did not load"); return; }
    // No CDN: H5P.MathDisplay would fetch MathJax from one. Formulas stay as typed.
    window.H5PIntegration = window.H5PIntegration || {};
    window.H5PIntegration.libraryConfig = { "H5P.MathDisplay": { renderer: { none: {} } } };
    if (init.record) {
      // H5P saves a place only for a user; who the learner is stays with the lesson page.
      options.user = { name: "learner", mail: "learner@h5p.invalid" };
      options.saveFreq = init.saveFreq || false;
      options.ajax = { contentUserDataUrl: "cpc-bridge:state/:dataType/:subContentId" };
      if (init.state) { options.contentUserData = init.state; }
    } else {
      options.saveFreq = false;
    }
    var errors = [];
    window.addEventListener("error", function (event) { errors.push(event.message || String(event.error)); });
    var player;
    try {
      player = new Standalone(root, options);
    } catch (error) {
      fail(error && (error.message || error));
      return;
    }
    player.then(function () {
      var H5P = window.H5P;
      if (!H5P || !H5P.instances || !H5P.instances.length) {
        fail("the content did not start: " + (errors[0] || "its main library made no instance"));
        return;
      }
      post({ type: "started" });
      reportSize();
      if (window.ResizeObserver) { new ResizeObserver(reportSize).observe(document.body); }
      setInterval(reportSize, 1000);
    }, function (error) {
      fail(error && (error.message || error));
    });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== parentWindow || event.origin !== cpc.parentOrigin) { return; }
    var message = event.data;
    if (!message || message.cpc !== "h5p-page") { return; }
    if (message.type === "init") {
      start(message);
    } else if (message.type === "reply" && waiting[message.id]) {
      var callback = waiting[message.id];
      delete waiting[message.id];
      callback(message);
    }
  });

  // The lesson page's script may not listen yet: say hello until it answers.
  var hellos = 0;
  (function hello() {
    if (started) { return; }
    if (hellos++ > 80) {
      // Twenty seconds without an answer: the page is not the one this frame was made for (a
      // wrong SITE_URL or H5P_ORIGIN). Say so rather than wait forever.
      fail("the lesson page did not answer the player (check SITE_URL and H5P_ORIGIN)");
      return;
    }
    post({ type: "hello" });
    setTimeout(hello, 250);
  })();
})();
