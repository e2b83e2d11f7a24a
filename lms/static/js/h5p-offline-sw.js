/* The H5P origin's service worker. It serves the player frames of the activities a learner
   downloaded (their pages, package, libraries and the player's runtime, kept by the offline
   helper in caches named "cpc-h5p-<person>") when the network does not answer. Online, every
   request goes to the server first, so a changed file or an ended access always shows; it keeps
   nothing by itself. */
/* eslint-env serviceworker */
"use strict";

var PLAYER = /^\/(?:[a-z]{2}\/)?learn\/h5p\/(?:play|runtime)\//;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function kept(request) {
  return caches.keys().then(function (names) {
    names = names.filter(function (name) { return name.indexOf("cpc-h5p-") === 0; });
    // Library styles ask for their fonts with a version query (font.woff2?v=4.5): the file is
    // kept under its path alone.
    var ways = [{}, { ignoreSearch: true }];
    return ways.reduce(function (found, options) {
      return names.reduce(function (chain, name) {
        return chain.then(function (response) {
          return response || caches.open(name).then(function (cache) { return cache.match(request, options); });
        });
      }, found);
    }, Promise.resolve(undefined));
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  // A download (the helper keeping files) always goes to the network itself.
  if (request.method !== "GET" || request.headers.get("X-CPC-Offline")) { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || !PLAYER.test(url.pathname)) { return; }
  if (url.pathname.slice(-6) === "/sw.js" || url.pathname.slice(-9) === "/offline/") { return; }
  event.respondWith(fetch(request).catch(function (error) {
    return kept(request).then(function (response) {
      if (response) { return response; }
      throw error;
    });
  }));
});
