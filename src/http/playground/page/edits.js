/**
 * The playground's form state and the mint body (`POST /v1/revisions`, the contract in
 * src/core/edits): one from the other, both ways, plus the timeline bar and the curl line. No DOM here.
 *
 * State: { clips: [{ source, start, end, cuts: [[from, to]] }], noiseSuppression,
 *          caption: { on, text, start, end }, logo: { on, source }, drawing: { on, strokes } }
 * Seconds left empty in the form are undefined: the whole clip, the whole video.
 */

const round = (n) => Math.round(n * 1000) / 1000;
const given = (n) => typeof n === 'number' && Number.isFinite(n);

/** Where the caption, the logo and the drawing's pen sit: fractions of the picture. */
export const CAPTION = { x: 0.05, y: 0.8, size: 0.07, color: '#ffffff', background: '#000000b3' };
export const LOGO = { x: 0.76, y: 0.05, width: 0.2 };
export const PEN = { color: '#ff3b30', width: 0.012 };

/** A clip as the API takes it: `start`/`end` only where they trim, `cuts` only when there are some. */
export function clipBody(clip, duration) {
  const body = { source: clip.source };
  if (given(clip.start) && clip.start > 0) body.start = round(clip.start);
  if (given(clip.end) && !(given(duration) && clip.end >= duration)) body.end = round(clip.end);
  const cuts = clip.cuts.filter(([from, to]) => given(from) && given(to));
  if (cuts.length > 0) body.cuts = cuts.map(([from, to]) => [round(from), round(to)]);
  return body;
}

const times = ({ start, end }) => ({
  ...(given(start) && start > 0 ? { start: round(start) } : {}),
  ...(given(end) ? { end: round(end) } : {}),
});

/** The mint body for the form's state; `durations` are the sources' seconds, by key. */
export function editsBody(state, durations) {
  const body = { clips: state.clips.map((clip) => clipBody(clip, durations[clip.source])) };
  if (state.noiseSuppression) body.noiseSuppression = true;
  const overlays = [];
  if (state.caption.on && state.caption.text) {
    overlays.push({ kind: 'text', text: state.caption.text, ...CAPTION, ...times(state.caption) });
  }
  if (state.logo.on && state.logo.source) overlays.push({ kind: 'image', source: state.logo.source, ...LOGO });
  if (state.drawing.on && state.drawing.strokes.length > 0) {
    overlays.push({ kind: 'drawing', strokes: state.drawing.strokes.map((points) => ({ points, ...PEN })) });
  }
  if (overlays.length > 0) body.overlays = overlays;
  return body;
}

/**
 * The form's state for a revision's edits (`GET /v1/revisions/:id`). The form holds one caption, one
 * logo and one drawing: the first of each kind; the revision's JSON shows all of them.
 */
export function stateFromEdits(edits) {
  const first = (kind) => (edits.overlays ?? []).find((o) => o.kind === kind);
  const text = first('text');
  const image = first('image');
  const drawing = first('drawing');
  return {
    clips: edits.clips.map((c) => ({ source: c.source, start: c.start, end: c.end, cuts: c.cuts ?? [] })),
    noiseSuppression: edits.noiseSuppression === true,
    caption: text ? { on: true, text: text.text, start: text.start, end: text.end } : { on: false },
    logo: image ? { on: true, source: image.source } : { on: false },
    drawing: { on: Boolean(drawing), strokes: drawing ? drawing.strokes.map((s) => s.points) : [] },
  };
}

/**
 * The parts of a clip that play, as fractions of its source's duration, and their seconds: `[start,
 * end]` minus the cuts. For the timeline bar; the origin decides to the frame.
 */
export function keptParts(clip, duration) {
  if (!given(duration) || duration <= 0) return { parts: [], seconds: 0 };
  const start = Math.max(0, given(clip.start) ? clip.start : 0);
  const end = Math.min(duration, given(clip.end) ? clip.end : duration);
  const cuts = clip.cuts.filter(([a, b]) => given(a) && given(b) && b > a).sort((x, y) => x[0] - y[0]);
  const parts = [];
  let at = start;
  for (const [from, to] of cuts) {
    if (from > at) parts.push([at, Math.min(from, end)]);
    at = Math.max(at, to);
  }
  if (end > at) parts.push([at, end]);
  const kept = parts.filter(([a, b]) => b > a);
  return {
    parts: kept.map(([a, b]) => [a / duration, b / duration]),
    seconds: kept.reduce((sum, [a, b]) => sum + b - a, 0),
  };
}

/** The shell command that mints the same revision (single quotes survive any JSON text). */
export function curlCommand(origin, body, tokenRequired) {
  const json = JSON.stringify(body).replace(/'/g, `'\\''`);
  const auth = tokenRequired ? ` -H "Authorization: Bearer $AVSERVER_API_TOKEN"` : '';
  return `curl -s -X POST ${origin}/v1/revisions -H 'content-type: application/json'${auth} \\\n  -d '${json}'`;
}
