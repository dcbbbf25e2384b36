/*
 * Shaka Player driver of the headless-browser playback harness: window.runDash(url, opts) plays a
 * DASH MPD with Shaka Player (window.shaka) and returns a Promise of the run's state (see state.js).
 * opts: { timeoutMs } as PlayDashOptions in test/helpers/browser-player.ts.
 *
 * Plain ES2020, no imports, runs in Chromium. Served as /shaka-driver.js by the harness's page
 * server (test/helpers/browser-launch.ts) and loaded by index.html after shaka-player.compiled.js
 * and state.js.
 */
'use strict';
(function () {
  var h = window.playerHarness;
  var LOAD_INTERRUPTED = 7000; // shaka.util.Error.Code.LOAD_INTERRUPTED

  window.runDash = function (url, opts) {
    var st = h.newState();
    window.__pb = st;
    var timeoutMs = (opts && opts.timeoutMs) || h.DEFAULT_TIMEOUT_MS;
    return new Promise(function (resolve) {
      var v = h.makeVideo();
      var shaka = window.shaka;
      var player = null;
      var ctl = h.wireVideo(v, st, resolve, timeoutMs, function () {});
      if (!shaka) {
        st.errors.push('harness/shaka not loaded');
        ctl.finish('shaka missing');
        return;
      }
      shaka.polyfill.installAll();
      if (!shaka.Player.isBrowserSupported()) {
        st.errors.push('harness/shaka: browser not supported');
        ctl.finish('shaka unsupported');
        return;
      }
      ctl.log('shaka ' + shaka.Player.version);
      player = new shaka.Player();
      window.__shaka = player;

      // Every Shaka error is recorded as "shaka/<category>/<code>[/fatal]"; a CRITICAL one ends the run.
      function recordError(err) {
        var fatal = err && err.severity === shaka.util.Error.Severity.CRITICAL;
        var s = 'shaka/' + (err ? err.category : '?') + '/' + (err ? err.code : '?') + (fatal ? '/fatal' : '');
        st.errors.push(s);
        var data = '';
        try {
          data = JSON.stringify(err && err.data).slice(0, 500);
        } catch {
          data = String(err && err.data);
        }
        ctl.log('shaka error ' + s + ' data=' + data + (err && err.message ? ' msg=' + err.message : ''));
        if (fatal) ctl.finish('fatal shaka error ' + s);
      }
      // levelsPlayed for DASH: the index of the active track in getVariantTracks().
      function noteActiveVariant(why) {
        var tracks = player.getVariantTracks();
        for (var i = 0; i < tracks.length; i++) {
          if (tracks[i].active) {
            ctl.log(
              'shaka ' +
                why +
                ': variant ' +
                i +
                ' ' +
                tracks[i].width +
                'x' +
                tracks[i].height +
                ' bw=' +
                tracks[i].bandwidth,
            );
            if (st.levelsPlayed.indexOf(i) < 0) st.levelsPlayed.push(i);
          }
        }
      }
      player.addEventListener('error', function (ev) {
        recordError(ev.detail);
      });
      player.addEventListener('adaptation', function () {
        noteActiveVariant('adaptation');
      });
      player.addEventListener('variantchanged', function () {
        noteActiveVariant('variantchanged');
      });
      player.addEventListener('buffering', function (ev) {
        ctl.log('shaka buffering=' + ev.buffering);
      });
      player
        .attach(v)
        .then(function () {
          return player.load(url);
        })
        .then(function () {
          ctl.log('shaka loaded');
          noteActiveVariant('loaded');
          h.startPlayback(v, ctl);
        })
        .catch(function (err) {
          if (err && err.code === LOAD_INTERRUPTED) {
            ctl.log('shaka load interrupted');
            return;
          }
          recordError(err);
          // A rejected load() is fatal for the test whatever its severity.
          ctl.finish('shaka load failed');
        });
    });
  };
})();
