/* CPC Learn service worker (Workbox from npm, served by this site). What it does:
   - keeps the site's own files (styles, scripts, icons, the offline page) for every visitor;
   - pages: always from the network first (fresh progress); offline, from the person's downloaded
     courses, else the offline page. Nothing is kept at run time: a page or file is on the device
     only when its owner downloaded the course it belongs to (the server decided who may);
   - files of a downloaded course (images, styles, scripts) come from the download even online, which
     saves the learner's data;
   - sends queued work when the connection returns (Background Sync where the browser has it);
   - removes a person's downloads when someone else, or nobody, is signed in. */
/* global workbox, cpcOfflineStore */
(function () {
  "use strict";
  var config = self.CPC_OFFLINE;
  importScripts(config.workbox);
  workbox.setConfig({
    debug: false,
    modulePathCb: function (name) { return config.workboxModules[name]; }  // this site's copy, never a CDN
  });
  // Workbox loads its modules on first use; a worker may only import while it starts.
  workbox.loadModule("workbox-core");
  workbox.loadModule("workbox-routing");
  workbox.loadModule("workbox-strategies");  // precaching uses it
  workbox.loadModule("workbox-precaching");

  var COPY_PREFIX = "cpc-copy-";
  var DEVICE = "__device__";
  workbox.core.setCacheNameDetails({ prefix: "cpc", suffix: "v1" });
  workbox.precaching.precacheAndRoute(config.shell);
  workbox.precaching.cleanupOutdatedCaches();

  function copyCaches() {
    return caches.keys().then(function (names) {
      return names.filter(function (name) { return name.indexOf(COPY_PREFIX) === 0; });
    });
  }

  function fromCopies(request) {
    return copyCaches().then(function (names) {
      return names.reduce(function (found, name) {
        return found.then(function (hit) {
          if (hit) { return hit; }
          return caches.open(name).then(function (cache) {
            return cache.match(request, { ignoreVary: true, ignoreSearch: false });
          });
        });
      }, Promise.resolve(undefined));
    });
  }

  function offlinePage(url) {
    var path = new URL(url).pathname;
    var pages = config.offlinePages;
    var language = Object.keys(pages).filter(function (code) {
      return pages[code] !== "/offline/" && path.indexOf(pages[code].replace(/offline\/$/, "")) === 0;
    })[0];
    return workbox.precaching.matchPrecache(pages[language] || "/offline/");
  }

  // Pages: the network first; offline, a downloaded copy, else the offline page.
  workbox.routing.registerRoute(
    function (context) { return context.request.mode === "navigate" && context.request.method === "GET"; },
    function (context) {
      return fetch(context.request).catch(function () {
        return fromCopies(context.request).then(function (hit) {
          return hit || offlinePage(context.request.url).then(function (page) { return page || Response.error(); });
        });
      });
    }
  );

  // Files a page loads (images, styles, scripts, fonts, media) of this site: from a downloaded
  // course where it has them, else the network. A page's own requests (fetch: saving answers,
  // sending statements) never come here, nor does a download (X-CPC-Offline): it renews what the
  // phone holds.
  var FILES = ["image", "style", "script", "font", "audio", "video", "track"];
  workbox.routing.registerRoute(
    function (context) {
      return context.sameOrigin && context.request.method === "GET" &&
        FILES.indexOf(context.request.destination) >= 0 && !context.request.headers.get("X-CPC-Offline");
    },
    function (context) {
      return fromCopies(context.request).then(function (hit) { return hit || fetch(context.request); });
    }
  );

  function forgetOthers(user) {
    return copyCaches().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== COPY_PREFIX + user; }).map(function (name) {
        return caches.delete(name);
      }));
    });
  }

  self.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "user") {
      // A page says who is signed in: keep that person's downloads only (nobody: keep none).
      event.waitUntil(cpcOfflineStore.putMeta({ user: DEVICE, current: data.user }).then(function () {
        return forgetOthers(data.user || "");
      }));
    }
  });

  self.addEventListener("sync", function (event) {
    if (event.tag !== "cpc-sync") { return; }
    event.waitUntil(cpcOfflineStore.meta(DEVICE).then(function (device) {
      if (!device.current) { return null; }
      return cpcOfflineStore.meta(device.current).then(function (meta) {
        return meta.syncUrl ? cpcOfflineStore.sync(device.current, meta.syncUrl) : null;
      });
    }));
  });

  self.addEventListener("install", function () { self.skipWaiting(); });
  self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
})();
