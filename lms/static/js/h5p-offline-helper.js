/* The H5P origin's offline helper: a hidden frame that lesson pages of the site ask, by message,
   to keep a learner's downloaded activities in this origin's cache ("keep": fetch these URLs, with
   progress), to remove some ("drop") or to remove every one but a person's ("forget"). It answers
   only the site's own pages (their origins come from the server) and only its parent window. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("h5p-offline-helper").textContent);
  var PREFIX = "cpc-h5p-";
  var parentWindow = window.parent;
  var registered = ("serviceWorker" in navigator && window.caches)
    ? navigator.serviceWorker.register(config.worker, { scope: "/" }).then(function () { return navigator.serviceWorker.ready; })
    : Promise.reject(new Error("no service worker"));
  registered.catch(function () {});

  function cacheName(person) {
    if (typeof person !== "string" || !/^[A-Za-z0-9_-]{1,80}$/.test(person)) { throw new Error("bad person"); }
    return PREFIX + person;
  }
  function own(url) {
    var parsed = new URL(url, location.href);
    if (parsed.origin !== location.origin) { throw new Error("not a file of this origin"); }
    return parsed.href;
  }

  function keep(message, reply) {
    var urls = (message.urls || []).map(own);
    var worker = registered.then(function () { return true; }, function (error) {
      // This browser keeps nothing for this origin here (storage of another site blocked, a
      // private window): the activities stay online-only; the course itself is still kept.
      return { type: "unsupported", urls: [], message: String(error && error.message || error) };
    });
    return worker.then(function (ready) {
      if (ready !== true) { return ready; }
      return keepAll(message, reply, urls);
    });
  }

  // A few files at a time: an activity is many small files, and on a slow mobile line the wait
  // for each answer, not the bytes, is most of the time.
  var AT_ONCE = 4;

  function keepAll(message, reply, urls) {
    var bytes = 0, done = 0, kept = [], next = 0, failed = null;
    function one(cache) {
      if (failed || next >= urls.length) { return Promise.resolve(); }
      var url = urls[next++];
      return fetch(url, { credentials: "omit", headers: { "X-CPC-Offline": "download" } }).then(function (response) {
        if (!response.ok) { throw new Error("file " + response.status + " " + url); }
        return response.clone().blob().then(function (blob) {
          bytes += blob.size;
          return cache.put(url, response);
        });
      }).then(function () {
        kept.push(url);
        done += 1;
        reply({ type: "progress", done: done, bytes: bytes });
        return one(cache);
      }, function (error) { failed = failed || error; });
    }
    return caches.open(cacheName(message.person)).then(function (cache) {
      var lanes = [];
      for (var i = 0; i < Math.min(AT_ONCE, urls.length); i++) { lanes.push(one(cache)); }
      return Promise.all(lanes);
    }).then(function () {
      if (failed) { throw failed; }
      return { type: "kept", urls: kept, bytes: bytes };
    }).catch(function (error) {
      // Stopped half-way: the caller drops what this try kept (it knows what other copies use).
      return { type: "error", urls: kept, message: error && error.name === "QuotaExceededError" ? "full" : String(error && error.message || error) };
    });
  }

  function drop(message) {
    var urls = (message.urls || []).map(own);
    return caches.open(cacheName(message.person)).then(function (cache) {
      return Promise.all(urls.map(function (url) { return cache.delete(url); }));
    }).then(function () { return { type: "dropped" }; });
  }

  function forget(message) {
    var keepName = message.person ? cacheName(message.person) : null;
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(PREFIX) === 0 && name !== keepName;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return { type: "forgotten" }; });
  }

  window.addEventListener("message", function (event) {
    var message = event.data;
    if (event.source !== parentWindow || config.parents.indexOf(event.origin) < 0) { return; }
    if (!message || typeof message !== "object" || message.cpc !== "h5p-offline-page") { return; }
    var reply = function (answer) {
      answer.cpc = "h5p-offline";
      answer.id = message.id;
      parentWindow.postMessage(answer, event.origin);
    };
    var work;
    try {
      if (message.type === "keep") { work = keep(message, reply); }
      else if (message.type === "drop") { work = drop(message); }
      else if (message.type === "forget") { work = forget(message); }
      else { return; }
    } catch (error) {
      work = Promise.resolve({ type: "error", urls: [], message: String(error.message || error) });
    }
    work.catch(function (error) { return { type: "error", urls: [], message: String(error && error.message || error) }; }).then(reply);
  });

  // Ready: the lesson page may ask (any of the site's origins may be the parent).
  config.parents.forEach(function (origin) {
    try { parentWindow.postMessage({ cpc: "h5p-offline", type: "ready" }, origin); } catch (error) { /* not that one */ }
  });
})();
