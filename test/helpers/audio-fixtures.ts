import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const FF = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
/** A small picture: these fixtures are about their sound. */
const VIDEO = (seconds: number) => ['-f', 'lavfi', '-i', `testsrc2=size=160x90:rate=30:duration=${seconds}`];
const OUT = [
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
  '-pix_fmt',
  'yuv420p',
  '-c:a',
  'aac',
  '-b:a',
  '192k',
  '-shortest',
  '-map_metadata',
  '-1',
  '-fflags',
  '+bitexact',
];

/**
 * A steady 440 Hz tone, 48 kHz stereo, under a small picture: any click at a join stands out once the tone is
 * subtracted.
 */
export const TONE_HZ = 440;
export async function makeToneFixture(dir: string, seconds = 10): Promise<string> {
  const file = join(dir, 'tone.mp4');
  await run('ffmpeg', [
    ...FF,
    ...VIDEO(seconds),
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${TONE_HZ}:sample_rate=48000:duration=${seconds}`,
    '-ac',
    '2',
    ...OUT,
    file,
  ]);
  return file;
}

/** Seconds of noise alone before the speech starts (where the noise floor is measured). */
export const SPEECH_LEAD_SECONDS = 3;
const SPEECH_TEXT =
  'The quarterly review starts now. We look at sales, marketing, and the roadmap for next year. Please hold your questions until the end of the presentation.';

/**
 * A talk recorded in a noisy room, and the clean talk it was made from:
 * - speech: ffmpeg's `flite` (voice "kal"), after SPEECH_LEAD_SECONDS of silence, then a second of silence;
 * - noise: loud pink noise (independent in each channel) and mains hum (50 Hz and its third harmonic);
 * - the mix is about −2 dB SI-SDR against the speech: the speech is barely above the noise.
 * The recording is `speech-noisy.mp4` (AAC 192k stereo under a small picture); the reference is
 * returned as 48 kHz mono floats, sample-aligned with the recording's audio.
 */
export async function makeSpeechFixture(dir: string): Promise<{ file: string; clean: Float32Array; seconds: number }> {
  const speech = `flite=text='${SPEECH_TEXT}':voice=kal,aresample=48000,apad=pad_dur=1`;
  const cleanFile = join(dir, 'speech-clean.f32');
  await run('ffmpeg', [
    ...FF,
    '-f',
    'lavfi',
    '-i',
    `anullsrc=r=48000:cl=mono:d=${SPEECH_LEAD_SECONDS}`,
    '-f',
    'lavfi',
    '-i',
    speech,
    '-filter_complex',
    '[0][1]concat=n=2:v=0:a=1',
    '-f',
    'f32le',
    '-ac',
    '1',
    '-ar',
    '48000',
    cleanFile,
  ]);
  const bytes = await readFile(cleanFile);
  const clean = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const seconds = clean.length / 48000;
  const file = join(dir, 'speech-noisy.mp4');
  const noise = (seed: number) => [
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=color=pink:amplitude=0.5:sample_rate=48000:seed=${seed}:duration=${seconds}`,
  ];
  await run('ffmpeg', [
    ...FF,
    ...VIDEO(seconds),
    '-f',
    'f32le',
    '-ar',
    '48000',
    '-ac',
    '1',
    '-i',
    cleanFile,
    ...noise(7),
    ...noise(8),
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=50:sample_rate=48000:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=150:sample_rate=48000:duration=${seconds}`,
    '-filter_complex',
    '[4]volume=0.5[h1];[5]volume=0.15[h3];[h1][h3]amix=inputs=2:normalize=0,asplit[hl][hr];' +
      '[1]asplit[sl][sr];[sl][2][hl]amix=inputs=3:normalize=0[l];[sr][3][hr]amix=inputs=3:normalize=0[r];[l][r]join=inputs=2:channel_layout=stereo[a]',
    '-map',
    '0:v',
    '-map',
    '[a]',
    ...OUT,
    file,
  ]);
  return { file, clean, seconds };
}
