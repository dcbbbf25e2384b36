/** m3u8-parser and mpd-parser ship no type declarations; these cover what the tests use. */
declare module 'm3u8-parser' {
  export interface ParsedSegment {
    uri: string;
    duration: number;
    map?: { uri: string };
  }
  export interface ParsedPlaylist {
    attributes: Record<string, unknown> & { BANDWIDTH?: number; RESOLUTION?: { width: number; height: number }; CODECS?: string };
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
declare module 's3rver';
