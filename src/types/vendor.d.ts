/** m3u8-parser and mpd-parser ship no type declarations; these cover what avserver and its tests use. */
declare module 'm3u8-parser' {
  export interface ParsedSegment {
    uri: string;
    duration: number;
    map?: { uri: string };
  }
  export interface ParsedPlaylist {
    attributes: Record<string, unknown> & {
      BANDWIDTH?: number;
      RESOLUTION?: { width: number; height: number };
      CODECS?: string;
    };
    uri: string;
  }
  export interface Manifest {
    version?: number;
    targetDuration?: number;
    endList?: boolean;
    playlistType?: string;
    independentSegments?: boolean;
    segments: ParsedSegment[];
    playlists?: ParsedPlaylist[];
    mediaGroups?: { AUDIO?: Record<string, Record<string, { uri?: string; default?: boolean }>> };
  }
  export class Parser {
    push(text: string): void;
    end(): void;
    manifest: Manifest;
  }
}
declare module 'mpd-parser' {
  export interface DashSegment {
    uri: string;
    resolvedUri: string;
    duration: number;
    timeline: number;
    number: number;
    presentationTime: number;
    map?: { uri: string };
  }
  export interface DashPlaylist {
    attributes: {
      NAME: string;
      BANDWIDTH: number;
      CODECS: string;
      RESOLUTION?: { width: number; height: number };
      'FRAME-RATE'?: number;
    };
    segments: DashSegment[];
  }
  export interface DashManifest {
    duration: number;
    playlists: DashPlaylist[];
    mediaGroups: { AUDIO: Record<string, Record<string, { playlists: DashPlaylist[] }>> };
  }
  export function parse(manifest: string, options?: { manifestUri?: string }): DashManifest;
}
