/*
 * Shared in-page code of the headless-browser playback harness: the result state and the <video>
 * wiring (end, errors, stall accounting, timeout) used by both drivers (hls-driver.js, shaka-driver.js).
 *
 * Plain ES2020, no imports, runs in Chromium. Served as /state.js by the harness's page server
 * (test/helpers/browser-launch.ts) and loaded by index.html before the drivers; it is a plain file
 * rather than TypeScript so that no transpiler helper can leak into the page.
 *
 * Exposes window.playerHarness; window.__pb is the live state of the current run, which the Node
 * side (test/helpers/browser-player.ts) reads if a run does not answer in time.
 */
'use strict';
(function () {
  // Page-side fallback only: browser-player.ts always passes timeoutMs (its own default is the same).
  var DEFAULT_TIMEOUT_MS = 60000;

  /** A fresh result; same fields as PlayResult in browser-player.ts (startedAt is page-internal). */
  function newState() {
    return { ended: false, currentTime: 0, duration: 0, errors: [], stalls: 0, levelsPlayed: [], log: [] };
  }

  var t0 = performance.now();
  function stamp() {
    return ((performance.now() - t0) / 1000).toFixed(2) + 's';
  }

  /** Replaces the page's <video id="v"> with a fresh muted autoplaying one. */
  function makeVideo() {
    var old = document.getElementById('v');
    if (old) old.remove();
    var v = document.createElement('video');
    v.id = 'v';
    v.muted = true;
    v.autoplay = true;
    v.playsInline = true;
    v.width = 320;
    document.body.appendChild(v);
    return v;
  }

  /**
   * Wires <video> v to state st: logs its events, counts stalls, records element errors, ends the
   * run on 'ended', on an element error or after timeoutMs. Returns the run's controller:
   * finish(why) resolves the run with st exactly once (after calling cleanup()), log(msg) appends
   * a timestamped line to st.log, isStarted() tells whether playback has started, isDone()
   * whether the run has finished.
   */
  function wireVideo(v, st, resolve, timeoutMs, cleanup) {
    var started = false;
    var done = false;
    var timer = null;
    function log(msg) {
      st.log.push('[' + stamp() + ' t=' + v.currentTime.toFixed(2) + '] ' + msg);
    }
    function snapshot() {
      st.currentTime = v.currentTime;
      st.duration = Number.isFinite(v.duration) ? v.duration : 0;
    }
    function bufferedStr() {
      var r = [];
      for (var i = 0; i < v.buffered.length; i++)
        r.push(v.buffered.start(i).toFixed(3) + '-' + v.buffered.end(i).toFixed(3));
      return '[' + r.join(',') + ']';
    }
    function finish(why) {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      snapshot();
      log('finish: ' + why + ' (buffered=' + bufferedStr() + ', readyState=' + v.readyState + ')');
      try {
        cleanup();
      } catch (e) {
        log('cleanup threw: ' + e);
      }
      resolve(st);
    }
    ['loadedmetadata', 'canplay', 'play', 'pause', 'seeking', 'seeked', 'ratechange'].forEach(function (ev) {
      v.addEventListener(ev, function () {
        log('video ' + ev);
      });
    });
    v.addEventListener('playing', function () {
      if (!started) {
        started = true;
        st.startedAt = performance.now();
      }
      log('video playing');
    });
    v.addEventListener('waiting', function () {
      log('video waiting (started=' + started + ', seeking=' + v.seeking + ', buffered=' + bufferedStr() + ')');
      // Stall accounting: a 'waiting' counts once playback has started, except while seeking
      // (waiting for a seek to land, e.g. a player's start-time adjustment, is not a stall).
      if (started && !v.seeking) st.stalls++;
    });
    v.addEventListener('timeupdate', snapshot);
    v.addEventListener('durationchange', snapshot);
    v.addEventListener('ended', function () {
      st.ended = true;
      finish('ended');
    });
    v.addEventListener('error', function () {
      var e = v.error;
      st.errors.push('video/' + (e ? e.code : '?') + '/' + (e ? e.message : ''));
      finish('video element error');
    });
    timer = setTimeout(function () {
      finish('timeout after ' + timeoutMs + 'ms');
    }, timeoutMs);
    return {
      finish: finish,
      log: log,
      isStarted: function () {
        return started;
      },
      isDone: function () {
        return done;
      },
    };
  }

  /** Calls v.play(), logging (not failing on) a rejected play promise. */
  function startPlayback(v, ctl) {
    var p = v.play();
    if (p && p.catch)
      p.catch(function (e) {
        ctl.log('video.play() rejected: ' + e);
      });
  }

  window.playerHarness = {
    DEFAULT_TIMEOUT_MS: DEFAULT_TIMEOUT_MS,
    newState: newState,
    makeVideo: makeVideo,
    wireVideo: wireVideo,
    startPlayback: startPlayback,
  };
})();
