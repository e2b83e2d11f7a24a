/* Offline learning: the device's store (IndexedDB), shared by the pages and the service worker.
   - queue: work done offline ({id, user, kind, at, …}), sent in order by sync();
   - copies: the courses downloaded by each person ({key, user, course, release, urls, bytes, …});
   - meta: per person, the CSRF token to sync with and when the last sync happened;
   - outcomes: what the server said of synced items, until the learner has seen it. */
(function (scope) {
  "use strict";
  var DB = "cpc-offline", VERSION = 1, BATCH = 50;
  var opening = null;

  function open() {
    if (opening) { return opening; }
    opening = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("queue", { keyPath: "id" }).createIndex("user", "user");
        db.createObjectStore("copies", { keyPath: "key" }).createIndex("user", "user");
        db.createObjectStore("meta", { keyPath: "user" });
        db.createObjectStore("outcomes", { keyPath: "id" }).createIndex("user", "user");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { opening = null; reject(request.error); };
    });
    return opening;
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode), result;
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
        var request = work(tx.objectStore(store));
        if (request) { request.onsuccess = function () { result = request.result; }; }
      });
    });
  }

  function byUser(store, user) {
    return run(store, "readonly", function (s) { return s.index("user").getAll(user); });
  }

  function uuid() {
    if (scope.crypto && scope.crypto.randomUUID) { return scope.crypto.randomUUID(); }
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64; bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  var store = {
    uuid: uuid,
    add: function (user, item) {
      item.id = item.id || uuid();
      item.user = user;
      item.at = item.at || new Date().toISOString();
      item.seq = Date.now() + Math.random();  // the order the work was done
      return run("queue", "readwrite", function (s) { return s.put(item); }).then(function () { return item; });
    },
    pending: function (user) {
      return byUser("queue", user).then(function (items) {
        return items.sort(function (a, b) { return a.seq - b.seq; });
      });
    },
    copies: function (user) { return byUser("copies", user); },
    copy: function (key) { return run("copies", "readonly", function (s) { return s.get(key); }); },
    putCopy: function (copy) { return run("copies", "readwrite", function (s) { return s.put(copy); }); },
    deleteCopy: function (key) { return run("copies", "readwrite", function (s) { return s.delete(key); }); },
    meta: function (user) {
      return run("meta", "readonly", function (s) { return s.get(user); }).then(function (m) { return m || { user: user }; });
    },
    putMeta: function (meta) { return run("meta", "readwrite", function (s) { return s.put(meta); }); },
    outcomes: function (user) {
      return byUser("outcomes", user).then(function (rows) { return rows.sort(function (a, b) { return a.seq - b.seq; }); });
    },
    clearOutcomes: function (user) {
      return byUser("outcomes", user).then(function (rows) {
        return run("outcomes", "readwrite", function (s) { rows.forEach(function (row) { s.delete(row.id); }); });
      });
    },
    /* Everything of one person on this device (sign-out): their queue, copies, outcomes, token. */
    forget: function (user) {
      return Promise.all(["queue", "copies", "outcomes"].map(function (name) {
        return byUser(name, user).then(function (rows) {
          return run(name, "readwrite", function (s) { rows.forEach(function (row) { s.delete(row.id || row.key); }); });
        });
      })).then(function () { return run("meta", "readwrite", function (s) { return s.delete(user); }); });
    },
    /* Send this person's queued work in order; keep what the server did not answer. */
    sync: function (user, url) {
      return store.meta(user).then(function (meta) {
        if (!meta.csrf) { return { sent: 0, left: -1 }; }
        return store.pending(user).then(function (items) {
          if (!items.length) { return { sent: 0, applied: 0, left: 0, courses: null }; }
          var batch = items.slice(0, BATCH);
          var body = batch.map(function (item) {
            var copy = {};
            Object.keys(item).forEach(function (name) { if (name !== "user" && name !== "seq") { copy[name] = item[name]; } });
            return copy;
          });
          return fetch(url, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": meta.csrf, "X-Requested-With": "fetch" },
            body: JSON.stringify({ items: body })
          }).then(function (response) {
            if (!response.ok) { throw new Error("sync " + response.status); }
            return response.json();
          }).then(function (answer) {
            var results = answer.results || [];
            var applied = results.filter(function (r) { return r.status === "done" && !r.repeat; }).length;
            return run("queue", "readwrite", function (s) {
              results.forEach(function (result) { if (result.id) { s.delete(result.id); } });
            }).then(function () {
              return run("outcomes", "readwrite", function (s) {
                results.forEach(function (result) {
                  var item = batch.filter(function (i) { return i.id === result.id; })[0];
                  var quiet = item && (item.kind === "visit" || item.kind === "time");
                  if (result.id && result.message && (!quiet || result.status === "refused")) {
                    s.put({ id: result.id, user: user, seq: item ? item.seq : Date.now(), kind: item ? item.kind : "", status: result.status,
                            message: result.message, result_url: result.result_url || "", paper: item ? item.paper : "",
                            received: Date.now() });
                  }
                });
              });
            }).then(function () {
              meta.lastSync = new Date().toISOString();
              return store.putMeta(meta);
            }).then(function () {
              var more = items.length - batch.length;
              if (more > 0) {
                return store.sync(user, url).then(function (next) {
                  return { sent: results.length + next.sent, applied: applied + next.applied, left: next.left, courses: next.courses || answer.courses };
                });
              }
              return { sent: results.length, applied: applied, left: 0, courses: answer.courses };
            });
          });
        });
      });
    }
  };
  scope.cpcOfflineStore = store;
})(self);
