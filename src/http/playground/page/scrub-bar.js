/**
 * A scrub bar under a video, as a modern player has one: it follows playback, seeks on a click, a drag
 * or the arrow keys (it is a range input), and while the pointer hovers or drags over it shows the
 * storyboard tile of the time under the pointer, and that time. The tiles come from the revision's
 * storyboard JSON (`{ tile_width, tile_height, duration, tiles: [{ start, end, url, x, y }] }`, each
 * url relative to the JSON file), so the preview is the same whichever player plays.
 */

/** The cue whose [start, end) holds `t` (past the end: the last one); undefined without cues. */
export function tileAt(board, t) {
  const tiles = board?.tiles ?? [];
  return tiles.find((tile) => t < tile.end) ?? tiles.at(-1);
}

/** The tile of `t` as CSS: its sheet (resolved against the JSON's URL) as a background, at the tile's place and size. */
export function tileStyle(board, t, jsonUrl) {
  const tile = tileAt(board, t);
  if (!tile) return undefined;
  return {
    backgroundImage: `url("${new URL(tile.url, jsonUrl).href}")`,
    backgroundPosition: `${-tile.x}px ${-tile.y}px`,
    width: `${board.tile_width}px`,
    height: `${board.tile_height}px`,
  };
}

/** A time as a player reads it out: m:ss.s, or h:mm:ss.s from an hour. */
export function clockText(seconds) {
  const tenths = Math.round(Math.max(0, seconds) * 10);
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor((tenths % 36_000) / 600);
  const s = ((tenths % 600) / 10).toFixed(1).padStart(4, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * The fraction of a range input's span at `clientX`. The thumb's centre travels the track less the
 * thumb's width (so the thumb never overhangs the ends, as Chromium and Firefox lay a range out):
 * this is the value a click there gives, so the preview shows the time the click seeks to.
 */
export function fractionAt(clientX, { left, width }, thumb) {
  return Math.min(1, Math.max(0, (clientX - left - thumb / 2) / (width - thumb)));
}

/**
 * Makes `root` (holding a range input and a `.preview` with a `.tile` and a `span`) the scrub bar of
 * `video`. Returns `load(url)`, which previews the storyboard of the JSON at `url` from then on; without
 * a URL, or when the JSON does not load, the bar seeks without previews.
 */
export function scrubBar(video, root) {
  const range = root.querySelector('input');
  const preview = root.querySelector('.preview');
  const tile = preview.querySelector('.tile');
  const label = preview.querySelector('span');
  /** The storyboard shown and the URL its sheets are relative to; `generation` drops a late answer. */
  let board;
  let jsonUrl;
  let generation = 0;
  let dragging = false;

  const total = () => Number(range.max);

  function follow() {
    range.max = String(Number.isFinite(video.duration) ? video.duration : 0);
    if (!dragging) range.value = String(video.currentTime);
    const at = Number(range.value);
    range.style.setProperty('--played', `${total() > 0 ? (at / total()) * 100 : 0}%`);
    range.setAttribute('aria-valuetext', `${clockText(at)} of ${clockText(total())}`);
  }
  for (const type of ['timeupdate', 'durationchange', 'seeked', 'emptied']) video.addEventListener(type, follow);

  range.addEventListener('input', () => {
    video.currentTime = Number(range.value);
    follow();
  });
  // The pointer stays the bar's while a drag lasts, wherever it goes: the preview follows it.
  range.addEventListener('pointerdown', (e) => {
    dragging = true;
    range.setPointerCapture(e.pointerId);
  });
  for (const type of ['pointerup', 'pointercancel']) range.addEventListener(type, () => (dragging = false));
  range.addEventListener('pointerleave', () => (preview.hidden = true));
  range.addEventListener('pointermove', (e) => {
    const thumb = parseFloat(getComputedStyle(range).getPropertyValue('--thumb')) || 0;
    const t = fractionAt(e.clientX, range.getBoundingClientRect(), thumb) * total();
    const style = total() > 0 ? tileStyle(board, t, jsonUrl) : undefined;
    if (!style) return;
    Object.assign(tile.style, style);
    label.textContent = clockText(t);
    preview.hidden = false;
    // Centred over the pointer, kept within the bar.
    const half = preview.offsetWidth / 2;
    const x = e.clientX - root.getBoundingClientRect().left;
    preview.style.left = `${Math.min(root.clientWidth - half, Math.max(half, x))}px`;
  });

  return async function load(url) {
    const mine = ++generation;
    board = undefined;
    preview.hidden = true;
    if (!url) return;
    const absolute = new URL(url, location.href).href;
    try {
      const res = await fetch(absolute);
      const json = res.ok ? await res.json() : undefined;
      if (mine === generation && Array.isArray(json?.tiles)) [board, jsonUrl] = [json, absolute];
    } catch {
      // No storyboard: the bar seeks without previews.
    }
  };
}
