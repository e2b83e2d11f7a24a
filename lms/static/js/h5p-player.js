/* H5P players on a lesson page. Each activity runs in a sandboxed frame (no cookies, no access to
   this page); this script is the page's side of the narrow message bridge. It answers only the
   frame it created a player for, and only these messages: "hello" (it gets its start-up data:
   the learner's saved place), "xapi" (a statement, posted in order with the CSRF token),
   "state" (read or save the learner's place), "started", "failed" (say so; staff see it),
   "blocked" (media the site does not load), "resize". */
(function () {
  "use strict";
  var MAX_HEIGHT = 20000;
  var MAX_STATEMENT_CHARS = 200000;
  var players = [];

  function Player(element) {
    this.element = element;
    this.frame = element.querySelector("iframe");
    this.init = JSON.parse(document.getElementById(element.dataset.h5pPlayer).textContent);
    this.url = element.dataset.xapiUrl;
    this.stateUrl = element.dataset.stateUrl;
    this.token = element.dataset.csrf;
    this.queue = [];
    this.busy = false;
    this.status = document.querySelector('[data-h5p-status="' + element.id + '"]');
    this.viewedSent = false;
    this.origin = element.dataset.frameOrigin || "";  // H5P_ORIGIN: the frame has a real origin
  }

  Player.prototype.say = function (text) {
    if (this.status) { this.status.textContent = text; }
  };

  Player.prototype.reply = function (message) {
    message.cpc = "h5p-page";
    // A frame of this site has an opaque origin ("null"): it can only be addressed as "*". Nothing
    // secret is in a reply: the frame's own saved place, which only that frame asked for.
    this.frame.contentWindow.postMessage(message, this.origin || "*");
  };

  Player.prototype.push = function (statement) {
    if (!this.url) { return; }
    this.queue.push(statement);
    this.flush();
  };

  // No connection: the statements wait on the phone (offline.js) and go with the next sync, in
  // order; once some wait there, the later ones follow them, never overtake them.
  Player.prototype.keepOnPhone = function (batch) {
    var self = this;
    var target = /\/h5p\/(\d+)\/(\d+)\/([^/]+)\/xapi\/$/.exec(self.url);
    if (!target || !window.cpcOffline || !window.cpcOffline.queueStatements) { return null; }
    self.offline = true;
    return window.cpcOffline.queueStatements({
      lesson: parseInt(target[1], 10), activity: parseInt(target[2], 10), signature: target[3], statements: batch
    }).then(function () { self.say(self.element.dataset.queuedText || self.element.dataset.errorText); });
  };

  // One request at a time, so the server sees statements in the order the player made them.
  Player.prototype.flush = function () {
    var self = this;
    if (self.busy || !self.queue.length) { return; }
    var batch = self.queue.splice(0, 50);
    self.busy = true;
    if (self.offline || !navigator.onLine) {
      var kept = self.keepOnPhone(batch);
      if (kept) {
        kept.then(function () { self.busy = false; self.flush(); }, function () { self.queue = batch.concat(self.queue); self.busy = false; });
        return;
      }
    }
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
    }, function (error) {
      if (!(error && error.message === "server")) {  // the request did not reach the server
        var kept = self.keepOnPhone(batch);
        if (kept) { kept.then(function () { self.busy = false; self.flush(); }); return; }
      }
      // A server error (or no phone storage): keep the statements and try again a little later.
      self.queue = batch.concat(self.queue);
      self.say(self.element.dataset.errorText);
      setTimeout(function () { self.busy = false; self.flush(); }, 5000);
    });
  };

  Player.prototype.report = function (body) {
    var attempts = body.attempts || [];
    var text = "";
    if (attempts.length) {
      var last = attempts[attempts.length - 1];
      text = last.scaled === null || last.scaled === undefined
        ? this.element.dataset.savedText
        : this.element.dataset.scoreText.replace("{score}", Math.round(last.scaled * 100) + "%");
    }
    if (body.lesson_completed) { text += (text ? " " : "") + this.element.dataset.completedText; }
    if (text) { this.say(text); }
    this.element.dispatchEvent(new CustomEvent("h5p:recorded", { bubbles: true, detail: body }));
  };

  // The learner's place: the page reads or saves it for the frame (H5P's form-encoded protocol).
  Player.prototype.state = function (message) {
    var self = this;
    var name = /^[A-Za-z0-9_-]{1,64}$/;
    if (!self.stateUrl || !name.test(message.dataType) || !name.test(message.subContentId)) {
      self.reply({ type: "reply", id: message.id, status: 403, body: '{"success":false}' });
      return;
    }
    var url = self.stateUrl.replace("DATATYPE", message.dataType).replace("SUBCONTENTID", message.subContentId);
    var post = message.method === "POST";
    fetch(url, {
      method: post ? "POST" : "GET",
      credentials: "same-origin",
      headers: post
        ? { "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.token, "X-Requested-With": "fetch" }
        : { "X-Requested-With": "fetch" },
      body: post ? String(message.body || "").slice(0, 300000) : undefined
    }).then(function (response) {
      return response.text().then(function (text) {
        self.reply({ type: "reply", id: message.id, status: response.status, statusText: response.statusText, body: text });
      });
    }, function () {
      self.reply({ type: "reply", id: message.id, status: 503, body: '{"success":false}' });
    });
  };

  Player.prototype.started = function () {
    var loading = this.element.querySelector(".h5p-loading");
    if (loading) { loading.remove(); }
    this.element.classList.add("h5p-started");
    if (this.init.viewed) { this.watchViewed(); }
  };

  // Rule "viewed": the lesson completes once the started player has been on screen.
  Player.prototype.watchViewed = function () {
    var self = this;
    var send = function () {
      if (self.viewedSent) { return; }
      self.viewedSent = true;
      self.push({
        verb: { id: "http://adlnet.gov/expapi/verbs/experienced", display: { "en-US": "experienced" } },
        object: { id: self.iri, objectType: "Activity" }
      });
    };
    if (!window.IntersectionObserver) { send(); return; }
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) { observer.disconnect(); send(); }
    }, { threshold: 0.3 });
    observer.observe(self.frame);
  };

  Player.prototype.failed = function (text) {
    var loading = this.element.querySelector(".h5p-loading");
    if (loading) { loading.remove(); }
    this.say(this.element.dataset.failedText);
    var url = this.element.dataset.failureUrl;
    if (url && !this.failureSent) {
      this.failureSent = true;
      var form = new URLSearchParams();
      form.set("message", String(text || "").slice(0, 500));
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": this.token || "", "X-Requested-With": "fetch" },
        body: form.toString()
      }).catch(function () {});
    }
  };

  Player.prototype.handle = function (message) {
    switch (message.type) {
      case "hello":
        this.reply({ type: "init", record: !!this.init.record, saveFreq: this.init.saveFreq, state: this.init.state });
        break;
      case "xapi":
        if (message.statement && typeof message.statement === "object" &&
            JSON.stringify(message.statement).length < MAX_STATEMENT_CHARS) {
          var id = message.statement.object && message.statement.object.id;
          if (typeof id === "string" && !this.iri) { this.iri = id.split("?")[0]; }
          this.push(message.statement);
        }
        break;
      case "state":
        this.state(message);
        break;
      case "started":
        this.started();
        break;
      case "failed":
        this.failed(message.message);
        break;
      case "blocked":
        this.element.dataset.blocked = String(message.host || "").slice(0, 255);
        break;
      case "resize":
        var height = Math.round(Number(message.height));
        if (height > 0) { this.frame.style.height = Math.min(height, MAX_HEIGHT) + "px"; }
        break;
    }
  };

  Array.prototype.forEach.call(document.querySelectorAll("[data-h5p-player]"), function (element) {
    var player = new Player(element);
    player.iri = player.init.iri;
    if (player.frame) { players.push(player); }
    // A lesson opened offline (from a downloaded course): a frame of this site's own origin is
    // sandboxed into an opaque origin that no service worker may serve, so it cannot be kept on
    // the phone; one from H5P_ORIGIN can, when the course was downloaded with it.
    if (!navigator.onLine && player.frame) {
      var needsConnection = function () {
        var loading = element.querySelector(".h5p-loading");
        if (loading) { loading.textContent = element.dataset.offlineText; }
        player.frame.hidden = true;
      };
      var whenKept = function () {  // the store's script may come later in the page
        var user = document.body.dataset.offlineUser;
        if (!player.origin || !user || !window.cpcOfflineStore) { needsConnection(); return; }
        var src = player.frame.src;
        window.cpcOfflineStore.copies(user).then(function (copies) {
          var kept = copies.some(function (copy) { return (copy.h5pUrls || []).indexOf(src) >= 0; });
          if (!kept) { needsConnection(); }
        }, needsConnection);
      };
      // Deferred scripts run before DOMContentLoaded, in page order: the store's may be later.
      if (window.cpcOfflineStore || document.readyState === "complete") { whenKept(); } else { document.addEventListener("DOMContentLoaded", whenKept); }
    }
  });

  window.addEventListener("message", function (event) {
    var message = event.data;
    if (!message || typeof message !== "object" || message.cpc !== "h5p-frame" || typeof message.type !== "string") { return; }
    for (var i = 0; i < players.length; i++) {
      // Only the frame this page made for the player: sandboxed into an opaque origin, or on
      // the H5P origin.
      if (event.source === players[i].frame.contentWindow && event.origin === (players[i].origin || "null")) {
        players[i].handle(message);
        return;
      }
    }
  });
})();
