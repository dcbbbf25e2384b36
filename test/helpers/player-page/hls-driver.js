/*
 * hls.js driver of the headless-browser playback harness: window.runHls(url, opts) plays an HLS
 * playlist with hls.js (window.Hls) and returns a Promise of the run's state (see state.js).
 * opts: { timeoutMs, switchEveryMs, hlsConfig } as PlayHlsOptions in test/helpers/browser-player.ts.
 *
 * Plain ES2020, no imports, runs in Chromium. Served as /hls-driver.js by the harness's page server
 * (test/helpers/browser-launch.ts) and loaded by index.html after hls.min.js and state.js.
 */
'use strict';
(function () {
  var h = window.playerHarness;

  window.runHls = function (url, opts) {
    var st = h.newState();
    window.__pb = st;
    var switchEveryMs = opts && opts.switchEveryMs;
    var timeoutMs = (opts && opts.timeoutMs) || h.DEFAULT_TIMEOUT_MS;
    return new Promise(function (resolve) {
      var v = h.makeVideo();
      var Hls = window.Hls;
      var hls = null;
      var switchTimer = null;
      var ctl = h.wireVideo(v, st, resolve, timeoutMs, function () {
        if (switchTimer) clearInterval(switchTimer);
        // Keep hls attached (destroying it would detach MSE and reset the video);
        // the page/context is closed by the Node side right after.
        try {
          if (hls) hls.stopLoad();
        } catch {
          /* ignore */
        }
      });
      if (!Hls || !Hls.isSupported()) {
        st.errors.push('harness/hls.js not supported in this browser');
        ctl.finish('hls.js unsupported');
        return;
      }
      ctl.log('hls.js ' + Hls.version);
      hls = new Hls(Object.assign({ debug: false }, (opts && opts.hlsConfig) || {}));
      window.__hls = hls;
      var E = Hls.Events;

      // Every ERROR event, fatal or not, is recorded as "type/details[/fatal]"; a fatal one ends the run.
      hls.on(E.ERROR, function (_ev, d) {
        var s = d.type + '/' + d.details + (d.fatal ? '/fatal' : '');
        st.errors.push(s);
        var extra = [];
        if (d.response) extra.push('http ' + d.response.code + ' ' + (d.response.text || ''));
        if (d.url) extra.push(d.url);
        if (d.frag) extra.push('frag sn=' + d.frag.sn + ' level=' + d.frag.level);
        if (d.reason) extra.push(d.reason);
        if (d.error) extra.push(String(d.error));
        if (d.buffer !== undefined) extra.push('buffer=' + d.buffer);
        ctl.log('hls ERROR ' + s + (extra.length ? ' (' + extra.join('; ') + ')' : ''));
        // Stall accounting, hls.js side: each BUFFER_STALLED_ERROR counts (on top of the video's 'waiting').
        if (d.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR) st.stalls++;
        if (d.fatal) ctl.finish('fatal hls.js error ' + s);
      });
      hls.on(E.MANIFEST_PARSED, function (_ev, d) {
        ctl.log(
          'hls MANIFEST_PARSED levels=' +
            d.levels
              .map(function (l, i) {
                return (
                  i +
                  ':' +
                  l.width +
                  'x' +
                  l.height +
                  '@' +
                  l.bitrate +
                  ' ' +
                  (l.codecSet || (l.attrs && l.attrs.CODECS) || '')
                );
              })
              .join(', '),
        );
        h.startPlayback(v, ctl);
      });
      hls.on(E.LEVEL_SWITCHING, function (_ev, d) {
        ctl.log('hls LEVEL_SWITCHING ' + d.level);
      });
      hls.on(E.LEVEL_SWITCHED, function (_ev, d) {
        ctl.log('hls LEVEL_SWITCHED ' + d.level);
        if (st.levelsPlayed.indexOf(d.level) < 0) st.levelsPlayed.push(d.level);
      });
      hls.on(E.FRAG_LOADED, function (_ev, d) {
        ctl.log(
          'hls FRAG_LOADED level=' +
            d.frag.level +
            ' sn=' +
            d.frag.sn +
            ' ' +
            d.frag.start.toFixed(3) +
            '+' +
            d.frag.duration.toFixed(3),
        );
      });
      hls.on(E.BUFFER_EOS, function () {
        ctl.log('hls BUFFER_EOS');
      });

      // Forced rendition switching: once playback has started, request the next level (cyclically)
      // every switchEveryMs.
      if (switchEveryMs && switchEveryMs > 0) {
        v.addEventListener('playing', function once() {
          v.removeEventListener('playing', once);
          if (switchTimer || ctl.isDone()) return;
          // LEVEL_SWITCHED (currentLevel) lags a nextLevel request until the playhead reaches the
          // first fragment of the new level, which can take longer than switchEveryMs with short
          // intervals / long segments. Requesting another level before that would flush the pending
          // one unplayed, so a tick is skipped while the previous request has not been played yet.
          var target = -1;
          switchTimer = setInterval(function () {
            var n = hls.levels ? hls.levels.length : 0;
            if (n < 2) return;
            if (target >= 0 && hls.currentLevel !== target) {
              ctl.log('switch: level ' + target + ' still pending (currentLevel=' + hls.currentLevel + '), skip tick');
              return;
            }
            target = ((hls.currentLevel >= 0 ? hls.currentLevel : Math.max(0, hls.loadLevel)) + 1) % n;
            ctl.log('switch: nextLevel -> ' + target + ' (currentLevel=' + hls.currentLevel + ')');
            hls.nextLevel = target;
          }, switchEveryMs);
        });
      }
      hls.attachMedia(v);
      hls.loadSource(url);
    });
  };
})();
