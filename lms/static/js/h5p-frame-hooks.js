/* Runs inside the sandboxed player frame after the H5P libraries, before the content starts
   (h5p-standalone's customJs). It connects H5P to the bridge of h5p-frame.js:
   - xAPI statements go to the lesson page, without the actor (the server names the learner);
   - H5P saves the learner's place with jQuery AJAX to "cpc-bridge:state/…": the lesson page makes
     that request (it has the session and the CSRF token; this frame has neither);
   - media from hosts this site does not load is replaced by a message in the learner's language:
     a video by a player that says so and keeps the video's timeline (so an Interactive Video's
     questions still appear at their times), an image by a picture that says so. */
(function () {
  "use strict";
  var bridge = window.cpcFrame;
  var H5P = window.H5P;
  if (!bridge || !H5P) { return; }
  var $ = H5P.jQuery;

  // --- statements ------------------------------------------------------------------------------
  // An answer inside a container (a Column, an Interactive Video…) carries the whole activity's
  // maximum score (H5P's getMaxScore() contract), so that the server scores the answers so far
  // out of the whole, even when the container never sends a result of its own.
  var ACTIVITY_MAX = "https://cpclearn.mn/xapi/extensions/activity-max-score";
  var ANSWERED = /\/(answered|completed)$/;
  function wholeMax() {
    var top = H5P.instances && H5P.instances[0];
    if (!top || typeof top.getMaxScore !== "function") { return null; }
    try {
      var max = top.getMaxScore();
      return typeof max === "number" && isFinite(max) && max >= 0 ? max : null;
    } catch (error) { return null; }
  }
  if (H5P.externalDispatcher) {
    H5P.externalDispatcher.on("xAPI", function (event) {
      var statement = event && event.data && event.data.statement;
      if (!statement) { return; }
      var copy;
      try { copy = JSON.parse(JSON.stringify(statement)); } catch (error) { return; }
      delete copy.actor;
      var context = copy.context || {};
      var parents = context.contextActivities && context.contextActivities.parent;
      if (parents && copy.verb && ANSWERED.test(copy.verb.id || "")) {
        var max = wholeMax();
        if (max !== null) {
          context.extensions = context.extensions || {};
          context.extensions[ACTIVITY_MAX] = max;
          copy.context = context;
        }
      }
      bridge.post({ type: "xapi", statement: copy });
    });
  }

  // --- saved place -----------------------------------------------------------------------------
  if ($ && $.ajaxTransport) {
    $.ajaxTransport("+*", function (settings) {
      var url = typeof settings.url === "string" ? settings.url : "";
      if (url.indexOf("cpc-bridge:") !== 0) { return undefined; }
      return {
        send: function (headers, complete) {
          var match = url.match(/^cpc-bridge:state\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)/);
          if (!match) { complete(404, "Not Found"); return; }
          var body = settings.type === "POST"
            ? (typeof settings.data === "string" ? settings.data : $.param(settings.data || {}))
            : "";
          bridge.request(
            { type: "state", method: settings.type === "POST" ? "POST" : "GET", dataType: match[1], subContentId: match[2], body: body },
            function (reply) { complete(reply.status || 500, reply.statusText || "", { text: reply.body || "" }); }
          );
        },
        abort: function () {}
      };
    });
  }

  // --- media from hosts this site does not load --------------------------------------------------
  var blocked = bridge.blocked || [];
  function hostOf(url) {
    var match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#:]+)/i.exec(String(url || "").trim());
    return match ? match[1].toLowerCase() : "";
  }
  function blockedEntry(url) {
    var host = hostOf(url);
    if (!host) { return null; }
    for (var i = 0; i < blocked.length; i++) {
      if (host === blocked[i].host) { return blocked[i]; }
    }
    return null;
  }

  // How long a blocked video's timeline runs: past the last interaction, bookmark or end screen.
  function timelineSeconds() {
    var longest = 0;
    try {
      var contents = (window.H5PIntegration && window.H5PIntegration.contents) || {};
      Object.keys(contents).forEach(function (key) {
        var stack = [JSON.parse(contents[key].jsonContent || "{}")];
        while (stack.length) {
          var item = stack.pop();
          if (Array.isArray(item)) { stack.push.apply(stack, item); continue; }
          if (!item || typeof item !== "object") { continue; }
          if (item.duration && typeof item.duration.to === "number") { longest = Math.max(longest, item.duration.to); }
          if (typeof item.time === "number") { longest = Math.max(longest, item.time); }
          Object.keys(item).forEach(function (name) { if (item[name] && typeof item[name] === "object") { stack.push(item[name]); } });
        }
      });
    } catch (error) { /* the timeline keeps its default */ }
    return Math.ceil(longest ? longest + 5 : 60);
  }

  if (H5P.videoHandlers && blocked.length) {
    var BlockedVideo = function BlockedVideo(sources) {
      var self = this;
      var entry = blockedEntry(sources[0] && sources[0].path) || blocked[0];
      var duration = timelineSeconds();
      var time = 0, rate = 1, muted = false, volume = 100, timer = null;
      var state = H5P.Video.VIDEO_CUED;

      function setState(next) { state = next; self.trigger("stateChange", next); }
      function stop() { if (timer) { clearInterval(timer); timer = null; } }

      self.appendTo = function ($container) {
        var box = document.createElement("div");
        box.className = "cpc-blocked-media cpc-blocked-video";
        box.setAttribute("role", "note");
        var text = document.createElement("p");
        text.textContent = entry.video;
        var note = document.createElement("p");
        note.className = "cpc-blocked-note";
        note.textContent = bridge.text.timeline;
        box.appendChild(text);
        box.appendChild(note);
        $container.addClass("h5p-cpc-blocked").append(box);
        bridge.post({ type: "blocked", host: entry.host, element: "video" });
        setTimeout(function () { self.trigger("ready"); self.trigger("loaded"); }, 0);
      };
      self.play = function () {
        if (state === H5P.Video.PLAYING) { return; }
        if (time >= duration) { time = 0; }
        stop();
        timer = setInterval(function () {
          time = Math.min(duration, time + 0.25 * rate);
          if (time >= duration) { stop(); setState(H5P.Video.ENDED); }
        }, 250);
        setState(H5P.Video.PLAYING);
      };
      self.pause = function () { if (state !== H5P.Video.PLAYING) { return; } stop(); setState(H5P.Video.PAUSED); };
      self.seek = function (seconds) { time = Math.max(0, Math.min(duration, Number(seconds) || 0)); };
      self.getCurrentTime = function () { return time; };
      self.getDuration = function () { return duration; };
      self.getBuffered = function () { return 100; };
      self.mute = function () { muted = true; };
      self.unMute = function () { muted = false; };
      self.isMuted = function () { return muted; };
      self.getVolume = function () { return volume; };
      self.setVolume = function (level) { volume = level; };
      self.getPlaybackRates = function () { return [0.5, 1, 1.5, 2]; };
      self.getPlaybackRate = function () { return rate; };
      self.setPlaybackRate = function (next) { rate = Number(next) || 1; self.trigger("playbackRateChange", rate); };
      self.getQualities = function () { return undefined; };
      self.getQuality = function () { return undefined; };
      self.setQuality = function () {};
      self.setCaptionsTrack = function () {};
      self.getCaptionsTrack = function () { return null; };
      self.getPlayerState = function () { return state; };
    };
    BlockedVideo.canPlay = function (sources) {
      return !!(sources && sources.some(function (source) { return blockedEntry(source.path); }));
    };
    H5P.videoHandlers.unshift(BlockedVideo);
  }

  // Images from a blocked host: a picture that says so (no request leaves the frame).
  if (typeof H5P.getPath === "function" && blocked.length) {
    var getPath = H5P.getPath;
    var escapeXml = function (text) {
      return String(text).replace(/[<>&"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
    };
    H5P.getPath = function (path, contentId) {
      var entry = blockedEntry(path);
      if (entry && /\.(png|jpe?g|gif|webp|bmp|svg)([?#].*)?$/i.test(path)) {
        bridge.post({ type: "blocked", host: entry.host, element: "image" });
        var svg = '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="200"><rect width="100%" height="100%" fill="#f3f0e8"/>' +
          '<foreignObject x="16" y="16" width="608" height="168"><div xmlns="http://www.w3.org/1999/xhtml" style="font:16px sans-serif;color:#333">' +
          escapeXml(entry.other) + "</div></foreignObject></svg>";
        return "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
      }
      return getPath.apply(this, arguments);
    };
  }
})();
