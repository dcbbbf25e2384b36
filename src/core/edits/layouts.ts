import { canonicalColour } from './overlays.js';

/**
 * Camera and screen, composed just in time (docs/media-rules.md, "Layouts"). A clip may carry a camera track
 * recorded beside its source (the screen); its `layouts` say, from moments of the clip's source time on, how the
 * two share the canvas. Times are the screen's source seconds, as the clip's `start`, `end` and `cuts` are, so a
 * later trim or cut keeps each change on the moment it described.
 */

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';
export type Shape = 'circle' | 'rounded' | 'square';

/** The camera over the screen, in a corner. */
export interface BubbleLayout {
  at: number;
  layout: 'bubble';
  corner?: Corner;
  /** The bubble's diameter (or side), a fraction of the canvas height: round on 16:9 and 9:16 alike. */
  size?: number;
  /** Space between the bubble and the canvas's edges, a fraction of the canvas height. */
  margin?: number;
  shape?: Shape;
  /** A ring around the bubble: `width` a fraction of the canvas height. */
  border?: { width: number; color: string };
  /** Shows the camera as a mirror would. */
  mirror?: boolean;
}

/** The camera alone, cropped to cover the canvas. */
export interface CameraLayout {
  at: number;
  layout: 'camera';
  mirror?: boolean;
}

/** The screen alone. */
export interface ScreenLayout {
  at: number;
  layout: 'screen';
}

/** The screen and the camera side by side (one above the other on a portrait canvas), each fitted inside its half. */
export interface SplitLayout {
  at: number;
  layout: 'split';
  mirror?: boolean;
}

export type LayoutEntry = BubbleLayout | CameraLayout | ScreenLayout | SplitLayout;
export type LayoutName = LayoutEntry['layout'];

/** A camera recorded beside a clip's source: its frame at the clip's source time t is the camera's at t + offset. */
export interface ClipCamera {
  source: string;
  /** Seconds; 0 when absent. */
  offset?: number;
}

/** Whose sound a clip with a camera plays: the screen's, the camera's, or both mixed. */
export type ClipAudio = 'screen' | 'camera' | 'both';

export const BUBBLE_DEFAULTS = {
  corner: 'bottom-left',
  size: 0.25,
  margin: 0.03,
  shape: 'circle',
  mirror: false,
} as const satisfies Partial<BubbleLayout>;

/** A layout with every default filled in, without its time: what a stretch of frames shows. */
export type Scene =
  | (Required<Omit<BubbleLayout, 'at' | 'border'>> & Pick<BubbleLayout, 'border'>)
  | { layout: 'camera'; mirror: boolean }
  | { layout: 'screen' }
  | { layout: 'split'; mirror: boolean };

/** What a clip with a camera and no `layouts` shows. */
export const DEFAULT_SCENE: Scene = { layout: 'bubble', ...BUBBLE_DEFAULTS };
export const SCREEN_SCENE: Scene = { layout: 'screen' };

/** A layout entry's scene: its defaults filled in. */
export function sceneOf(entry: LayoutEntry): Scene {
  switch (entry.layout) {
    case 'bubble': {
      const { at: _at, border, ...given } = entry;
      // A canonical layout leaves its defaults out (as undefined): they must not hide the defaults.
      const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
      return { ...BUBBLE_DEFAULTS, ...set, layout: 'bubble', ...(border ? { border } : {}) };
    }
    case 'camera':
    case 'split':
      return { layout: entry.layout, mirror: entry.mirror ?? false };
    case 'screen':
      return SCREEN_SCENE;
  }
}

/** Whether a scene shows the camera at all (an off-screen camera costs nothing). */
export const showsCamera = (scene: Scene) => scene.layout !== 'screen';

/** Two scenes that draw the same picture. */
export function sameScene(a: Scene, b: Scene): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A layout in canonical form, so the same layout written differently is the same revision: defaults left out,
 * colours in one spelling.
 */
export function canonicalLayout(entry: LayoutEntry): LayoutEntry {
  if (entry.layout === 'screen') return entry;
  const mirror = entry.mirror ? true : undefined;
  if (entry.layout !== 'bubble') return { ...entry, mirror };
  const dropDefault = <K extends keyof typeof BUBBLE_DEFAULTS>(key: K) =>
    entry[key] === BUBBLE_DEFAULTS[key] ? undefined : entry[key];
  return {
    ...entry,
    corner: dropDefault('corner'),
    size: dropDefault('size'),
    margin: dropDefault('margin'),
    shape: dropDefault('shape'),
    mirror,
    border: entry.border && { width: entry.border.width, color: canonicalColour(entry.border.color) },
  };
}
