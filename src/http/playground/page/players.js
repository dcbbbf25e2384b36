/**
 * Plays a revision in a <video>: HLS with hls.js (or the browser's own HLS, Safari), DASH with Shaka
 * Player. The builds are served by the origin from /playground/ and loaded on first use.
 */

const loaded = new Map();

/** Loads a classic script once. */
function script(src) {
  if (!loaded.has(src)) {
    loaded.set(
      src,
      new Promise((resolve, reject) => {
        const el = document.createElement('script');
        el.src = src;
        el.onload = () => resolve();
        el.onerror = () => reject(new Error(`could not load ${src}`));
        document.head.append(el);
      }),
    );
  }
  return loaded.get(src);
}

/**
 * Attaches `urls` (`{ hls, dash, poster }` from the mint answer) to `video` with `engine` ('hls' or
 * 'dash'), the revision's poster shown until it plays. Returns a function that detaches it. `onError`
 * gets fatal player errors as text.
 */
export async function attach(video, urls, engine, { players, onError }) {
  video.removeAttribute('src');
  if (urls.poster) video.poster = urls.poster;
  else video.removeAttribute('poster');
  if (engine === 'dash') {
    if (!players.dash) throw new Error('Shaka Player is not installed on this origin: DASH cannot play here');
    await script('/playground/shaka-player.compiled.js');
    shaka.polyfill.installAll();
    const player = new shaka.Player();
    await player.attach(video);
    player.addEventListener('error', (e) => onError(`shaka ${e.detail?.code ?? ''}`));
    await player.load(urls.dash);
    return () => void player.destroy();
  }
  if (players.hls) await script('/playground/hls.min.js');
  if (players.hls && Hls.isSupported()) {
    const hls = new Hls();
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (data.fatal) onError(`hls.js ${data.type}/${data.details}`);
    });
    hls.loadSource(urls.hls);
    hls.attachMedia(video);
    return () => hls.destroy();
  }
  if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = urls.hls;
    return () => video.removeAttribute('src');
  }
  throw new Error('hls.js is not installed on this origin and this browser has no HLS of its own');
}
