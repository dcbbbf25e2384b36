/**
 * The playground page: list the sources, pick some, trim and cut them, add a caption, the logo or a
 * drawing, mint through the real API, and play the revision beside the original, its scrub bar
 * previewing the storyboard. `?revision=<id>` opens a revision. Everything goes through the same
 * endpoints a main application calls.
 */
import { curlCommand, editsBody, keptParts, stateFromEdits } from './edits.js';
import { attach } from './players.js';
import { scrubBar } from './scrub-bar.js';

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'avserver-api-token';

const state = {
  config: { tokenRequired: false, players: { hls: false, dash: false } },
  token: sessionStorage.getItem(TOKEN_KEY) ?? '',
  /** Listed sources: [{ key, kind: 'media' | 'image' }]. */
  sources: [],
  /** Source seconds by key, from the original revision's probe data. */
  durations: {},
  form: stateFromEdits({ clips: [] }),
  /** Mint answers ({ revisionId, hls, dash, duration }) of what the two players show. */
  shown: { original: undefined, edited: undefined },
  detach: { original: undefined, edited: undefined },
  /** Bumped by every change of sources, so an older answer arriving late is dropped. */
  generation: 0,
};

/** The edited video's scrub bar; given a revision's storyboard JSON, it previews its tiles. */
const showStoryboard = scrubBar($('edited'), $('edited-scrub'));

function status(text, { error = false } = {}) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

/** An API call; the body of a 4xx/5xx becomes the error's message (every problem, field first). */
async function api(path, body) {
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}) };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  const res = await fetch(path, body ? { method: 'POST', headers, body: JSON.stringify(body) } : { headers });
  const answer = await res.json().catch(() => ({}));
  if (res.status === 401) {
    $('token-row').hidden = false;
    throw new Error('this origin asks for its API token (AVSERVER_API_TOKEN): enter it above');
  }
  if (!res.ok) {
    const problems = (answer.errors ?? []).map((e) => e.message ?? e.field);
    throw new Error(problems.length > 0 ? problems.join('; ') : (answer.error?.message ?? `HTTP ${res.status}`));
  }
  return { status: res.status, body: answer };
}

// ---------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------

async function loadSources() {
  const { body } = await api('/playground/sources');
  state.sources = body.sources;
  const media = body.sources.filter((s) => s.kind === 'media');
  $('sources-note').textContent = body.truncated
    ? `The first ${body.sources.length} sources are listed.`
    : media.length === 0
      ? 'No media under MEDIA_ROOT (or in the bucket).'
      : '';
  $('logo-source').replaceChildren(
    ...body.sources.filter((s) => s.kind === 'image').map((s) => new Option(s.key, s.key)),
  );
  renderSources();
}

function renderSources() {
  const picked = new Set(state.form.clips.map((c) => c.source));
  $('sources').replaceChildren(
    ...state.sources
      .filter((s) => s.kind === 'media')
      .map((s) => {
        const box = Object.assign(document.createElement('input'), { type: 'checkbox', checked: picked.has(s.key) });
        box.dataset.key = s.key;
        const label = document.createElement('label');
        label.append(box, ` ${s.key}`);
        const li = document.createElement('li');
        li.append(label);
        return li;
      }),
  );
}

$('sources').addEventListener('change', (e) => {
  const key = e.target.dataset.key;
  if (e.target.checked) state.form.clips.push({ source: key, cuts: [] });
  else state.form.clips = state.form.clips.filter((c) => c.source !== key);
  void showOriginal().catch(fail);
});

/** Mints the picked sources as they are (the original), learns their durations, and plays it. */
async function showOriginal() {
  const generation = ++state.generation;
  const keys = [...new Set(state.form.clips.map((c) => c.source))];
  renderClips();
  if (keys.length === 0) return;
  status('Reading the sources…');
  const { body: minted } = await api('/v1/revisions', { clips: keys.map((source) => ({ source })) });
  const { body: record } = await api(`/v1/revisions/${minted.revisionId}`);
  if (generation !== state.generation) return;
  for (const [key, info] of Object.entries(record.sources)) state.durations[key] = info.duration;
  const first = record.sources[keys[0]].video;
  $('pad').height = Math.round(($('pad').width * first.displayHeight) / first.displayWidth);
  drawPad();
  renderClips();
  status('');
  await show('original', minted);
}

// ---------------------------------------------------------------------------------------------
// Timeline: per clip, start, end and cuts as numbers, and a bar of what plays
// ---------------------------------------------------------------------------------------------

const number = (value) => (value === '' ? undefined : Number(value));

function input(value, placeholder, data) {
  const el = Object.assign(document.createElement('input'), { type: 'number', step: '0.1', min: '0', placeholder });
  if (value !== undefined) el.value = String(value);
  Object.assign(el.dataset, data);
  return el;
}

function button(text, data) {
  const el = Object.assign(document.createElement('button'), { type: 'button', textContent: text });
  Object.assign(el.dataset, data);
  return el;
}

function renderClips() {
  const clips = state.form.clips.map((clip, i) => {
    const duration = state.durations[clip.source];
    const div = document.createElement('div');
    div.className = 'clip';
    const title = document.createElement('div');
    title.innerHTML = '<strong></strong> <small class="hint"></small>';
    title.firstChild.textContent = clip.source;
    title.lastChild.textContent = duration === undefined ? '' : `${duration.toFixed(2)} s`;
    const trim = document.createElement('div');
    trim.className = 'row';
    trim.append(
      'start',
      input(clip.start, '0', { clip: i, field: 'start' }),
      'end',
      input(clip.end, duration?.toFixed(2) ?? 'end', { clip: i, field: 'end' }),
      button('+ cut', { clip: i, action: 'add-cut' }),
    );
    div.append(title, trim);
    clip.cuts.forEach(([from, to], c) => {
      const row = document.createElement('div');
      row.className = 'row';
      row.append(
        'cut',
        input(from, 'from', { clip: i, cut: c, field: 'from' }),
        'to',
        input(to, 'to', { clip: i, cut: c, field: 'to' }),
        button('×', { clip: i, cut: c, action: 'remove-cut' }),
      );
      div.append(row);
    });
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.id = `bar-${i}`;
    div.append(bar);
    return div;
  });
  $('clips').replaceChildren(...clips);
  if (clips.length === 0) $('clips').innerHTML = '<p class="hint">Pick one or several sources.</p>';
  state.form.clips.forEach((_, i) => renderBar(i));
  renderCurl();
}

function renderBar(i) {
  const clip = state.form.clips[i];
  const { parts, seconds } = keptParts(clip, state.durations[clip.source]);
  $(`bar-${i}`).replaceChildren(
    ...parts.map(([a, b]) => {
      const span = document.createElement('span');
      span.style.left = `${a * 100}%`;
      span.style.width = `${(b - a) * 100}%`;
      return span;
    }),
  );
  $(`bar-${i}`).title = `plays ${seconds.toFixed(2)} s`;
}

$('clips').addEventListener('input', (e) => {
  const { clip, cut, field } = e.target.dataset;
  const c = state.form.clips[Number(clip)];
  if (!c) return;
  if (field === 'start' || field === 'end') c[field] = number(e.target.value);
  else c.cuts[Number(cut)][field === 'from' ? 0 : 1] = number(e.target.value);
  renderBar(Number(clip));
  renderCurl();
});

$('clips').addEventListener('click', (e) => {
  const { clip, cut, action } = e.target.dataset;
  const c = state.form.clips[Number(clip)];
  if (!c || !action) return;
  if (action === 'add-cut') c.cuts.push([undefined, undefined]);
  else c.cuts.splice(Number(cut), 1);
  renderClips();
});

// ---------------------------------------------------------------------------------------------
// Overlays, the drawing pad, noise suppression
// ---------------------------------------------------------------------------------------------

function readOverlays() {
  const f = state.form;
  f.caption = {
    on: $('caption-on').checked,
    text: $('caption-text').value,
    start: number($('caption-start').value),
    end: number($('caption-end').value),
  };
  f.logo = { on: $('logo-on').checked, source: $('logo-source').value };
  f.drawing.on = $('drawing-on').checked;
  f.noiseSuppression = $('noise').checked;
}

function fillOverlays() {
  const f = state.form;
  $('caption-on').checked = f.caption.on;
  if (f.caption.on) $('caption-text').value = f.caption.text;
  $('caption-start').value = f.caption.start ?? '';
  $('caption-end').value = f.caption.end ?? '';
  $('logo-on').checked = f.logo.on;
  if (f.logo.on) $('logo-source').value = f.logo.source;
  $('drawing-on').checked = f.drawing.on;
  $('noise').checked = f.noiseSuppression;
  drawPad();
}

document.querySelector('#edit').addEventListener('change', () => {
  readOverlays();
  renderCurl();
});

function drawPad() {
  const pad = $('pad');
  const g = pad.getContext('2d');
  g.clearRect(0, 0, pad.width, pad.height);
  g.strokeStyle = '#ff3b30';
  g.lineWidth = 3;
  g.lineJoin = g.lineCap = 'round';
  for (const points of state.form.drawing.strokes) {
    g.beginPath();
    points.forEach(([x, y], i) => g[i === 0 ? 'moveTo' : 'lineTo'](x * pad.width, y * pad.height));
    g.stroke();
  }
}

/** Points are fractions of the picture; a new one every 1% of it, at most 1,000 a stroke. */
let pen;
const at = (e) => {
  const r = $('pad').getBoundingClientRect();
  const clamp = (v) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
  return [clamp((e.clientX - r.left) / r.width), clamp((e.clientY - r.top) / r.height)];
};
$('pad').addEventListener('pointerdown', (e) => {
  pen = [at(e)];
  state.form.drawing.strokes.push(pen);
  $('drawing-on').checked = state.form.drawing.on = true;
  $('pad').setPointerCapture(e.pointerId);
});
$('pad').addEventListener('pointermove', (e) => {
  if (!pen || pen.length >= 1000) return;
  const [x, y] = at(e);
  const [px, py] = pen[pen.length - 1];
  if (Math.hypot(x - px, y - py) >= 0.01) pen.push([x, y]);
  drawPad();
});
$('pad').addEventListener('pointerup', () => {
  if (pen?.length === 1) pen.push([...pen[0]]);
  pen = undefined;
  drawPad();
  renderCurl();
});
$('pad-clear').addEventListener('click', () => {
  state.form.drawing.strokes = [];
  drawPad();
  renderCurl();
});

// ---------------------------------------------------------------------------------------------
// Mint, play, open by id
// ---------------------------------------------------------------------------------------------

function renderCurl(body = editsBody(state.form, state.durations)) {
  $('curl').textContent = state.form.clips.length ? curlCommand(location.origin, body, state.config.tokenRequired) : '';
}

async function show(which, minted) {
  state.shown[which] = minted;
  $(`${which}-id`).textContent = minted.revisionId;
  state.detach[which]?.();
  const video = $(which);
  const onError = (text) => {
    $('player-status').textContent = `${which}: ${text}`;
    $('player-status').className = 'error';
  };
  state.detach[which] = await attach(video, minted, $('engine').value, { players: state.config.players, onError });
  video.play().catch(() => {});
}

async function showEdited(minted) {
  const { body: record } = await api(`/v1/revisions/${minted.revisionId}`);
  $('revision-json').textContent = JSON.stringify(record, null, 2);
  void showStoryboard(minted.storyboardJson);
  await show('edited', minted);
}

$('mint').addEventListener('click', async () => {
  readOverlays();
  const body = editsBody(state.form, state.durations);
  renderCurl(body);
  status('Minting…');
  try {
    const { status: code, body: minted } = await api('/v1/revisions', body);
    const again = code === 200 ? ' (minted before: the same edits, the same id)' : '';
    status(`Revision ${minted.revisionId}, ${minted.duration} s${again}`);
    history.pushState(null, '', `?revision=${minted.revisionId}`);
    await showEdited(minted);
  } catch (err) {
    fail(err);
  }
});

/** Opens a revision: its edits fill the form, it plays beside its sources as they are. */
async function openRevision(id) {
  const { body: record } = await api(`/v1/revisions/${encodeURIComponent(id)}`);
  state.form = stateFromEdits(record.edits);
  fillOverlays();
  renderSources();
  await showOriginal();
  // Minting the stored edits again gives the same id and its playback URLs (and refreshes its TTL).
  const { body: minted } = await api('/v1/revisions', record.edits);
  renderCurl(record.edits);
  status(`Revision ${minted.revisionId}, ${minted.duration} s`);
  await showEdited(minted);
}

$('open').addEventListener('submit', (e) => {
  e.preventDefault();
  const id = $('open-id').value.trim();
  history.pushState(null, '', `?revision=${encodeURIComponent(id)}`);
  openRevision(id).catch(fail);
});
window.addEventListener('popstate', () => {
  const id = new URLSearchParams(location.search).get('revision');
  if (id) openRevision(id).catch(fail);
});

$('engine').addEventListener('change', () => {
  $('player-status').textContent = '';
  for (const which of ['original', 'edited']) if (state.shown[which]) show(which, state.shown[which]).catch(fail);
});

function fail(err) {
  status(err instanceof Error ? err.message : String(err), { error: true });
}

async function init() {
  try {
    await loadSources();
    $('mint').disabled = false;
    const id = new URLSearchParams(location.search).get('revision');
    if (id) await openRevision(id);
  } catch (err) {
    fail(err);
  }
}

$('token').value = state.token;
$('token').addEventListener('change', () => {
  state.token = $('token').value.trim();
  sessionStorage.setItem(TOKEN_KEY, state.token);
  void init();
});

state.config = await (await fetch('/playground/config')).json();
$('token-row').hidden = !state.config.tokenRequired;
for (const [engine, on] of Object.entries(state.config.players)) {
  if (!on) $('engine').querySelector(`option[value="${engine}"]`).textContent += ' — not installed here';
}
await init();
