/* Offline learning on the page: installs the service worker, downloads a course with its size and
   a progress bar, queues work done offline (lessons completed, reading time, quiz answers), sends
   it when the connection returns, and says honestly what is waiting and when it was last sent.
   Quizzes are always marked by the server: nothing about the answers is on the device. */
(function () {
  "use strict";
  var body = document.body;
  var store = window.cpcOfflineStore;
  var textsNode = document.getElementById("offline-texts");
  if (!store || !textsNode || !("serviceWorker" in navigator) || !window.caches || !window.indexedDB) { return; }
  var T = JSON.parse(textsNode.textContent);
  var user = body.dataset.offlineUser || "";
  var fallback = body.hasAttribute("data-offline-fallback");
  var syncUrl = body.dataset.offlineSync, statusUrl = body.dataset.offlineStatus;
  var COPY_PREFIX = "cpc-copy-";
  var bar = document.querySelector("[data-offline-bar]");

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return values && name in values ? values[name] : all; });
  }
  function megabytes(bytes) { return (Math.max(bytes, 0) / 1e6).toFixed(1); }
  function when(iso) {
    var date = new Date(iso);
    if (document.documentElement.lang === "mn") {  // as Mongolian is written: 2026.12.04 14:30
      var two = function (n) { return (n < 10 ? "0" : "") + n; };
      return date.getFullYear() + "." + two(date.getMonth() + 1) + "." + two(date.getDate()) + " " +
        two(date.getHours()) + ":" + two(date.getMinutes());
    }
    return date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  // --- the service worker and whose device this is --------------------------------------------------
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (registration) {
    if (fallback) { return; }  // the offline page is the same for everyone: it says nothing of who
    var tell = function (worker) { if (worker) { worker.postMessage({ type: "user", user: user }); } };
    tell(registration.active || registration.waiting || registration.installing);
    navigator.serviceWorker.ready.then(function (ready) { tell(ready.active); });
  }).catch(function (error) {  // no offline use in this browser: the site works as before
    if (window.console) { console.warn("offline: " + error); }
  });

  // --- H5P activities (only with H5P_ORIGIN): kept by a hidden page of that origin -----------------
  var h5pHelperUrl = body.dataset.offlineH5p || "";
  var H5P_OWNER = "cpc-h5p-owner";  // who has activities kept on the H5P origin of this phone
  var helperAsk = null;
  function h5pHelper() {
    if (!h5pHelperUrl) { return Promise.reject(new Error("no H5P origin")); }
    if (helperAsk) { return helperAsk; }
    var origin = new URL(h5pHelperUrl).origin;
    var frame = el("iframe", { src: h5pHelperUrl, title: "", tabindex: "-1", "aria-hidden": "true" });
    frame.hidden = true;
    var waiting = {}, next = 1;
    function ask(message, progress) {
      return new Promise(function (resolve) {
        message.cpc = "h5p-offline-page";
        message.id = next++;
        waiting[message.id] = { resolve: resolve, progress: progress };
        frame.contentWindow.postMessage(message, origin);
      });
    }
    helperAsk = new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error(T.h5pFailed)); }, 20000);
      window.addEventListener("message", function (event) {
        var message = event.data;
        if (event.source !== frame.contentWindow || event.origin !== origin) { return; }
        if (!message || typeof message !== "object" || message.cpc !== "h5p-offline") { return; }
        if (message.type === "ready") { clearTimeout(timer); resolve(ask); return; }
        var asked = waiting[message.id];
        if (!asked) { return; }
        if (message.type === "progress") { if (asked.progress) { asked.progress(message); } return; }
        delete waiting[message.id];
        asked.resolve(message);
      });
      body.appendChild(frame);
    });
    helperAsk.catch(function () { frame.remove(); helperAsk = null; });
    return helperAsk;
  }
  function owner() { try { return localStorage.getItem(H5P_OWNER) || ""; } catch (error) { return ""; } }
  function setOwner(value) {
    try { if (value) { localStorage.setItem(H5P_OWNER, value); } else { localStorage.removeItem(H5P_OWNER); } } catch (error) { /* private mode */ }
  }
  // Remove the activities kept on the H5P origin, all of them or all but this person's.
  function h5pForget(person) {
    if (!h5pHelperUrl || !owner() || (person && owner() === person)) { return Promise.resolve(); }
    var gone = h5pHelper().then(function (ask) { return ask({ type: "forget", person: person || "" }); })
      .then(function () { setOwner(person && owner() === person ? person : ""); });
    var late = new Promise(function (resolve) { setTimeout(resolve, 8000); });  // never block a sign-out
    return Promise.race([gone, late]).catch(function () {});
  }
  function h5pDrop(urls) {
    if (!urls.length || !h5pHelperUrl) { return Promise.resolve(); }
    return h5pHelper().then(function (ask) { return ask({ type: "drop", person: user, urls: urls }); }).catch(function () {});
  }

  if (user && !fallback) {
    if (owner() && owner() !== user && navigator.onLine) { h5pForget(user); }
    store.meta(user).then(function (meta) {
      meta.csrf = body.dataset.offlineCsrf || meta.csrf;
      meta.syncUrl = syncUrl;
      return store.putMeta(meta);
    }).then(function () { return store.putMeta({ user: "__device__", current: user }); }).then(refresh);
  } else if (!fallback && navigator.onLine) {
    // Nobody is signed in (signed out, or the session ended): no downloaded course stays.
    caches.keys().then(function (names) {
      names.forEach(function (name) { if (name.indexOf(COPY_PREFIX) === 0) { caches.delete(name); } });
    });
    h5pForget("");
  }

  // --- honest state: offline, waiting, last sent, what the server said -------------------------------
  function showState() {
    if (!bar || !user) { return Promise.resolve(); }
    return Promise.all([store.pending(user), store.meta(user), store.outcomes(user)]).then(function (found) {
      var pending = found[0], meta = found[1], outcomes = found[2];
      bar.textContent = "";
      var lines = [];
      if (!navigator.onLine) { lines.push(T.offline); }
      if (pending.length) { lines.push(say(T.waiting, { count: pending.length })); }
      if (meta.lastSync && (pending.length || !navigator.onLine || outcomes.length)) {
        lines.push(say(T.lastSync, { time: when(meta.lastSync) }));
      }
      if (lines.length) { bar.appendChild(el("p", {}, lines.join(" · "))); }
      var shown = outcomes.filter(function (o) { return o.message && o.kind !== "visit" && o.kind !== "time"; });
      showPaperOutcome(outcomes);
      if (shown.length) {
        var list = el("ul", { "class": "offline-outcomes" });
        shown.forEach(function (outcome) {
          var item = el("li", { "class": outcome.status === "refused" ? "refused" : "done" }, outcome.message + " ");
          if (outcome.result_url) { item.appendChild(el("a", { href: outcome.result_url }, T.seeResult)); }
          list.appendChild(item);
        });
        bar.appendChild(el("p", {}, T.synced));
        bar.appendChild(list);
        var arrived = shown.some(function (o) { return o.status === "done" && o.received > loadedAt; });
        if (appliedHere || arrived) {  // this page was made before the work arrived: show it as it is now
          var again = el("button", { type: "button", "class": "button button-secondary" }, T.reload);
          again.addEventListener("click", function () { location.reload(); });
          bar.appendChild(again);
          bar.appendChild(document.createTextNode(" "));
        }
        var ok = el("button", { type: "button", "class": "link-button" }, T.dismiss);
        ok.addEventListener("click", function () { store.clearOutcomes(user).then(showState); });
        bar.appendChild(ok);
      }
      bar.hidden = !bar.childNodes.length;
      body.classList.toggle("is-offline", !navigator.onLine);
    });
  }

  // A paper page still open when its answers were marked: say what the server said, in place.
  function showPaperOutcome(outcomes) {
    var form = document.querySelector("form[data-offline-paper]");
    var panel = document.querySelector(".offline-submitted");
    if (!form || !panel) { return; }
    var outcome = outcomes.filter(function (o) { return o.paper === form.dataset.offlinePaper; })[0];
    if (!outcome) { return; }
    var note = panel.querySelector(".status");
    note.textContent = outcome.message + " ";
    note.className = "status " + (outcome.status === "refused" ? "status-refused" : "status-done");
    if (outcome.result_url) { note.appendChild(el("a", { href: outcome.result_url }, T.seeResult)); }
  }

  // --- sync ------------------------------------------------------------------------------------------
  var syncing = null, appliedHere = false, loadedAt = Date.now();  // (sent here, or by the worker)
  function sync() {
    if (!user || !navigator.onLine || fallback) { return Promise.resolve(null); }
    if (syncing) { return syncing; }
    syncing = store.sync(user, syncUrl).then(function (result) {
      syncing = null;
      if (result.applied) { appliedHere = true; }
      return (result.courses ? keepOnly(result.courses) : Promise.resolve()).then(function () { return result; });
    }, function () { syncing = null; return null; });
    return syncing.then(function (result) { return showState().then(function () { return result; }); });
  }

  function refresh() {
    showState();
    if (!navigator.onLine) { return; }
    sync().then(function () { return store.copies(user); }).then(function (copies) {
      if (!statusUrl || !copies.length) { return; }  // nothing on the phone: nothing to ask
      return fetch(statusUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (status) { if (status && status.user === user) { return keepOnly(status.courses); } });
    }).catch(function () {});
  }

  window.addEventListener("online", refresh);
  window.addEventListener("offline", showState);

  function queue(item) {
    return store.add(user, item).then(function (saved) {
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.sync) { return registration.sync.register("cpc-sync"); }
      }).catch(function () {});
      showState();
      if (navigator.onLine) { sync(); }
      return saved;
    });
  }
  window.cpcOffline = {
    queueTime: function (lesson, seconds) { if (user) { queue({ kind: "time", lesson: lesson, seconds: seconds }); } },
    queueStatements: user ? function (item) { item.kind = "xapi"; return queue(item); } : null
  };

  // --- downloaded copies -----------------------------------------------------------------------------
  function copyKey(course) { return user + ":" + course; }
  function cacheName() { return COPY_PREFIX + user; }

  // Copies of courses the person may no longer keep go; copies of an older release are renewed.
  function keepOnly(courses) {
    return store.copies(user).then(function (copies) {
      return copies.reduce(function (done, copy) {
        return done.then(function () {
          var release = courses[String(copy.course)];
          if (release === undefined) { return removeCopy(copy); }
          if (release !== copy.release && navigator.onLine) { return download(copy.downloadUrl, null); }
        });
      }, Promise.resolve());
    });
  }

  function removeCopy(copy) {
    return store.copies(user).then(function (copies) {
      var kept = {};
      copies.forEach(function (other) {
        if (other.key !== copy.key) { other.urls.concat(other.h5pUrls || []).forEach(function (url) { kept[url] = true; }); }
      });
      return caches.open(cacheName()).then(function (cache) {
        return Promise.all(copy.urls.filter(function (url) { return !kept[url]; }).map(function (url) { return cache.delete(url); }));
      }).then(function () {
        return h5pDrop((copy.h5pUrls || []).filter(function (url) { return !kept[url]; }));
      });
    }).then(function () { return store.deleteCopy(copy.key); });
  }

  // The one image a phone would show from a srcset: the smallest at least as wide as the screen.
  function pick(srcset) {
    var want = Math.min(window.innerWidth || 400, 736) * (window.devicePixelRatio || 1);
    var candidates = srcset.split(",").map(function (part) {
      var bits = part.trim().split(/\s+/);
      return { url: bits[0], width: parseInt(bits[1], 10) || 0 };
    }).filter(function (c) { return c.url; }).sort(function (a, b) { return a.width - b.width; });
    var fit = candidates.filter(function (c) { return c.width >= want; })[0];
    return (fit || candidates[candidates.length - 1] || {}).url;
  }

  function filesOf(html, base) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var found = [];
    var add = function (url) {
      if (!url) { return; }
      var absolute = new URL(url, base);
      if (absolute.origin === location.origin) { found.push(absolute.pathname + absolute.search); }
    };
    doc.querySelectorAll("picture").forEach(function (picture) {
      var source = picture.querySelector("source[srcset]");
      var img = picture.querySelector("img");
      add(source ? pick(source.getAttribute("srcset")) : img && (img.getAttribute("srcset") ? pick(img.getAttribute("srcset")) : img.getAttribute("src")));
    });
    doc.querySelectorAll("img").forEach(function (img) {
      if (img.closest("picture")) { return; }
      add(img.getAttribute("srcset") ? pick(img.getAttribute("srcset")) : img.getAttribute("src"));
    });
    doc.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (node) {
      add(node.getAttribute("href") || node.getAttribute("src"));
    });
    doc.querySelectorAll("a[href^='/documents/'], a[href*='/media-private/'], video source[src]").forEach(function (node) {
      add(node.getAttribute("href") || node.getAttribute("src"));
    });
    return found;
  }

  // The H5P frames of a lesson page: {activity, src} (their files are kept on the H5P origin).
  function framesOf(html, base) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var found = [];
    doc.querySelectorAll("[data-h5p-player][data-frame-origin]").forEach(function (player) {
      var frame = player.querySelector("iframe.h5p-frame[src]");
      var activity = /^h5p-(\d+)/.exec(player.id || "");
      if (frame && activity) { found.push({ activity: parseInt(activity[1], 10), src: new URL(frame.getAttribute("src"), base).href }); }
    });
    return found;
  }

  function download(url, panel) {
    var ui = panel ? panelUi(panel) : null;
    var token = body.dataset.offlineCsrf;
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (list) {
        if (!response.ok) { throw new Error(list.error || T.failed); }
        return list;
      });
    }).then(function (list) {
      if (!ui) { return fetchAll(list, url, null); }
      return ui.confirm(list).then(function (go) { return go ? fetchAll(list, url, ui) : null; });
    }).catch(function (error) {
      if (ui) { ui.fail(error.message || T.failed); }
    });
  }

  function fetchAll(list, downloadUrl, ui) {
    var cache, bytes = 0, done = 0, total = list.pages.length + list.papers.length + list.documents.length;
    var urls = [], seen = {}, frames = [], h5pUrls = [], onlineOnly = list.online_only.slice();
    var lessonOf = {};
    list.lessons.forEach(function (lesson) { lessonOf[lesson.url] = lesson.id; });
    function step(url) {
      if (seen[url]) { return Promise.resolve(); }
      seen[url] = true;
      return fetch(url, { credentials: "same-origin", headers: { "X-CPC-Offline": "download" } }).then(function (response) {
        if (!response.ok) { throw new Error(say(T.fileFailed, { url: url })); }
        return response.clone().blob().then(function (blob) {
          bytes += blob.size;
          return cache.put(url, response);
        }).then(function () {
          urls.push(url);
          done += 1;
          if (ui) { ui.progress(done, total, bytes); }
        });
      });
    }
    function page(url) {
      if (seen[url]) { return Promise.resolve([]); }
      seen[url] = true;
      // Fetched to be kept, not read: the server records no visit for it.
      return fetch(url, { credentials: "same-origin", headers: { "X-CPC-Offline": "download" } }).then(function (response) {
        if (!response.ok) { throw new Error(say(T.fileFailed, { url: url })); }
        return response.clone().text().then(function (html) {
          bytes += new Blob([html]).size;
          return cache.put(url, response).then(function () {
            urls.push(url);
            done += 1;
            if (list.h5p && lessonOf[url]) {
              framesOf(html, location.href).forEach(function (frame) { frame.lesson = lessonOf[url]; frames.push(frame); });
            }
            var files = filesOf(html, location.href).filter(function (file) { return !seen[file]; });
            files = files.filter(function (file, index) { return files.indexOf(file) === index; });
            total += files.length;
            if (ui) { ui.progress(done, total, bytes); }
            return files;
          });
        });
      });
    }
    // The activities' frames, their files and the player's runtime, kept by the H5P origin's helper.
    function keepActivities() {
      var planned = {}, wanted = [], listed = {};
      (list.h5p ? list.h5p.activities : []).forEach(function (item) { planned[item.lesson + ":" + item.activity] = item; });
      frames.forEach(function (frame) {
        var item = planned[frame.lesson + ":" + frame.activity];
        if (!item) { return; }
        wanted.push(frame.src);
        item.files.forEach(function (path) { wanted.push(new URL(path, frame.src).href); });
      });
      if (!wanted.length) { return Promise.resolve(); }
      wanted = list.h5p.runtime.concat(wanted).filter(function (url) {
        if (listed[url]) { return false; }
        listed[url] = true;
        return true;
      });
      var doneBefore = done, bytesBefore = bytes;
      total += wanted.length;
      if (ui) { ui.progress(done, total, bytes); }
      // The H5P origin keeps nothing in this browser: the course is kept, its activities stay
      // online-only, and the learner is told so.
      function unsupported() {
        h5pUrls = [];
        done = doneBefore; bytes = bytesBefore; total -= wanted.length;
        frames.forEach(function (frame) {
          var item = planned[frame.lesson + ":" + frame.activity];
          if (item) { onlineOnly.push({ lesson: item.lesson, title: item.title }); }
        });
      }
      return h5pHelper().then(function (ask) {
        setOwner(user);
        return ask({ type: "keep", person: user, urls: wanted }, function (progress) {
          done = doneBefore + progress.done;
          bytes = bytesBefore + progress.bytes;
          if (ui) { ui.progress(done, total, bytes); }
        });
      }, function () { return { type: "unsupported" }; }).then(function (answer) {
        h5pUrls = answer.urls || [];
        if (answer.type === "unsupported") { return unsupported(); }
        if (answer.type !== "kept") { throw new Error(answer.message === "full" ? T.full : T.h5pFailed); }
        bytes = bytesBefore + answer.bytes;
      });
    }
    return caches.open(cacheName()).then(function (opened) {
      cache = opened;
      var pages = list.pages.concat(list.papers.map(function (p) { return p.url; }));
      var files = [];
      return pages.reduce(function (chain, url) {
        return chain.then(function () { return page(url).then(function (more) { files = files.concat(more); }); });
      }, Promise.resolve()).then(function () {
        files = files.concat(list.documents.map(function (d) { return d.url; }));
        return files.reduce(function (chain, url) { return chain.then(function () { return step(url); }); }, Promise.resolve());
      }).then(function () { return keepActivities(); });
    }).catch(function (error) {
      // Stopped half-way (no connection, a full phone): nothing of this try stays that an earlier
      // download does not use.
      return store.copies(user).then(function (copies) {
        var kept = {};
        copies.forEach(function (copy) { copy.urls.concat(copy.h5pUrls || []).forEach(function (url) { kept[url] = true; }); });
        return Promise.all(urls.filter(function (url) { return !kept[url]; }).map(function (url) { return cache.delete(url); }))
          .then(function () { return h5pDrop(h5pUrls.filter(function (url) { return !kept[url]; })); });
      }).then(function () {
        throw error && error.name === "QuotaExceededError" ? new Error(T.full) : error;
      });
    }).then(function () {
      return store.copy(copyKey(list.course)).then(function (old) {
        var copy = {
          key: copyKey(list.course), user: user, course: list.course, title: list.title, release: list.release,
          version: list.version, language: list.language, courseUrl: list.pages[0], downloadUrl: downloadUrl,
          lessons: list.lessons, papers: list.papers, onlineOnly: onlineOnly, urls: urls, bytes: bytes,
          h5pUrls: h5pUrls, downloadedAt: new Date().toISOString()
        };
        var stale = old ? old.urls.filter(function (url) { return urls.indexOf(url) < 0; }) : [];
        var staleH5p = old ? (old.h5pUrls || []).filter(function (url) { return h5pUrls.indexOf(url) < 0; }) : [];
        return Promise.all(stale.map(function (url) { return cache.delete(url); }))
          .then(function () { return h5pDrop(staleH5p); })
          .then(function () { return store.putCopy(copy); })
          .then(function () { if (ui) { ui.done(copy); } return copy; });
      });
    });
  }

  // --- the course page's panel -----------------------------------------------------------------------
  function panelUi(panel) {
    var part = function (name) { return panel.querySelector("[data-offline-part=" + name + "]"); };
    var status = part("status");
    function only(name) {
      ["start", "confirm", "progress", "done"].forEach(function (other) { part(other).hidden = other !== name; });
    }
    return {
      confirm: function (list) {
        only("confirm");
        var text = say(T.size, { size: megabytes(list.estimated_bytes), lessons: list.lessons.length });
        var online = list.online_only.length;
        if (online) { text += " " + say(online === 1 ? T.onlineOnlyOne : T.onlineOnly, { count: online }); }
        part("size").textContent = text;
        return new Promise(function (resolve) {
          part("confirm").querySelector("[data-offline-action=go]").onclick = function () { only("progress"); resolve(true); };
          part("confirm").querySelector("[data-offline-action=cancel]").onclick = function () { only("start"); resolve(false); };
          part("confirm").querySelector("[data-offline-action=go]").focus();
        });
      },
      progress: function (done, total, bytes) {
        var meter = part("progress").querySelector("progress");
        meter.max = total; meter.value = done;
        part("progress").querySelector("[data-offline-part=count]").textContent =
          say(T.progress, { done: done, total: total, size: megabytes(bytes) });
      },
      done: function (copy) {
        only("done");
        showCopy(panel, copy);
        var online = copy.onlineOnly.length;
        status.textContent = T.downloaded + (online ? " " + say(online === 1 ? T.onlineOnlyOne : T.onlineOnly, { count: online }) : "");
      },
      fail: function (message) { only("start"); status.textContent = message; }
    };
  }

  function showCopy(panel, copy) {
    panel.querySelector("[data-offline-part=summary]").textContent =
      say(T.onDevice, { size: megabytes(copy.bytes), version: copy.version, time: when(copy.downloadedAt) });
    panel.querySelector("[data-offline-part=done]").hidden = false;
    panel.querySelector("[data-offline-part=start]").hidden = true;
  }

  var panel = document.querySelector("[data-offline-download]");
  if (panel && user) {
    panel.hidden = false;
    var course = parseInt(panel.dataset.course, 10);
    store.copy(copyKey(course)).then(function (copy) {
      if (!copy) { return; }
      showCopy(panel, copy);
      if (navigator.onLine && copy.release !== parseInt(panel.dataset.release, 10)) {
        panel.querySelector("[data-offline-part=status]").textContent = T.updating;
        download(panel.dataset.offlineDownload, null).then(function (renewed) {
          if (renewed) { showCopy(panel, renewed); panel.querySelector("[data-offline-part=status]").textContent = T.updated; }
        });
      }
    });
    panel.querySelector("[data-offline-action=prepare]").addEventListener("click", function () {
      if (!navigator.onLine) { panel.querySelector("[data-offline-part=status]").textContent = T.needOnline; return; }
      download(panel.dataset.offlineDownload, panel);
    });
    panel.querySelector("[data-offline-action=remove]").addEventListener("click", function () {
      store.copy(copyKey(course)).then(function (copy) { return copy && removeCopy(copy); }).then(function () {
        panel.querySelector("[data-offline-part=done]").hidden = true;
        panel.querySelector("[data-offline-part=start]").hidden = false;
        panel.querySelector("[data-offline-part=summary]").textContent = T.removed;
      });
    });
  }

  // --- work done offline -----------------------------------------------------------------------------
  var lessonNode = document.querySelector("[data-offline-lesson]");
  if (lessonNode && user && !navigator.onLine) {
    queue({ kind: "visit", lesson: parseInt(lessonNode.dataset.offlineLesson, 10) });
  }

  document.querySelectorAll("form[data-offline-complete]").forEach(function (form) {
    var lesson = parseInt(form.dataset.lesson, 10);
    function pendingState() {
      var note = el("p", { "class": "status status-pending", role: "status" }, T.completeQueued);
      form.replaceWith(note);  // the lesson's own links lead on
    }
    store.pending(user).then(function (items) {
      if (items.some(function (i) { return i.kind === "complete" && i.lesson === lesson; })) { pendingState(); }
    });
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }
      event.preventDefault();
      queue({ kind: "complete", lesson: lesson, release: parseInt(form.dataset.release, 10) }).then(pendingState);
    });
  });

  document.querySelectorAll("form[data-offline-quiz]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }
      event.preventDefault();
      var quiz = parseInt(form.dataset.offlineQuiz, 10), lesson = parseInt(form.dataset.lesson, 10);
      store.copies(user).then(function (copies) {
        var paper = null;
        copies.forEach(function (copy) {
          (copy.papers || []).forEach(function (p) { if (p.quiz === quiz && p.lesson === lesson) { paper = p; } });
        });
        if (paper) { location.href = paper.url; return; }
        var note = form.parentNode.querySelector(".offline-quiz-note") || el("p", { "class": "offline-quiz-note", role: "status" });
        note.textContent = T.quizOnline;
        form.after(note);
      });
    });
  });

  var paperForm = document.querySelector("form[data-offline-paper]");
  if (paperForm && user) {
    var started = new Date().toISOString();
    var token = paperForm.dataset.offlinePaper;
    var submitted = document.querySelector(".offline-submitted");
    var showSubmitted = function () { paperForm.hidden = true; submitted.hidden = false; submitted.focus && submitted.focus(); };
    store.pending(user).then(function (items) {
      if (items.some(function (i) { return i.kind === "quiz" && i.paper === token; })) { showSubmitted(); }
    });
    paperForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = paperForm.querySelector("button[type=submit]");
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) { return; }
      button.disabled = true;
      var answers = [];
      new FormData(paperForm).forEach(function (value, name) { answers.push([name, String(value)]); });
      queue({ kind: "quiz", paper: token, lesson: parseInt(paperForm.dataset.lesson, 10), answers: answers, started: started })
        .then(showSubmitted);
    });
  }

  // Signing out removes this person's downloads and queue from the device (after sending the queue).
  document.querySelectorAll("form[action$='/accounts/logout/']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.offlineCleared || !user) { return; }
      event.preventDefault();
      sync().then(function () { return store.pending(user); }).then(function (left) {
        if (left.length && !window.confirm(say(T.signOutPending, { count: left.length }))) { return; }
        return caches.delete(cacheName()).then(function () { return h5pForget(""); })
          .then(function () { return store.forget(user); }).then(function () {
          form.dataset.offlineCleared = "1";
          form.submit();
        });
      }).catch(function () { form.dataset.offlineCleared = "1"; form.submit(); });
    });
  });

  // The offline page: which courses are on this phone.
  var copiesList = document.querySelector("[data-offline-copies]");
  if (copiesList) {
    store.meta("__device__").then(function (device) {
      return device.current ? store.copies(device.current) : [];
    }).then(function (copies) {
      if (!copies.length) { copiesList.appendChild(el("li", {}, copiesList.dataset.empty)); return; }
      copies.forEach(function (copy) {
        var item = el("li", {});
        item.appendChild(el("a", { href: copy.courseUrl }, copy.title));
        item.appendChild(document.createTextNode(" · " + say(T.onDevice, { size: megabytes(copy.bytes), version: copy.version, time: when(copy.downloadedAt) })));
        copiesList.appendChild(item);
      });
    });
  }
  var back = document.querySelector("[data-offline-back]");
  if (back) { back.addEventListener("click", function () { history.back(); }); }
  if (!user) { return; }
  showState();
})();
