/**
 * A remote store of task results (cache entries), addressed by task signature, in the layout of
 * bazel-remote's HTTP cache: an action record at ac/<signature> names a content object at
 * cas/<sha256> (the entry packed as a tar). Content is written before its record, so a reader never
 * sees a record whose content is not complete. Backends: HTTP (nginx WebDAV, bazel-remote with AC
 * validation off) and a plain folder (NFS).
 */
export interface EntryRecord {
  readonly format: 'jhbuild-entry-v1';
  readonly signature: string;
  /** sha256 of the packed entry in cas/. */
  readonly content: string;
  readonly size: number;
}

export interface RemoteBackend {
  /** For messages: the URL or folder, never credentials. */
  readonly where: string;
  get(path: string): Promise<Buffer | undefined>;
  /** Streams the object at `path` into `file`; false when it is not there. */
  download(path: string, file: string): Promise<boolean>;
  exists(path: string): Promise<boolean>;
  upload(path: string, file: string): Promise<void>;
  put(path: string, body: Buffer): Promise<void>;
}

export type CacheMode = 'read' | 'readwrite';

export interface RemoteCacheConfig {
  readonly url: string;
  readonly mode: CacheMode;
}

/** The backend a --cache value names: http(s)://… or a folder. */
export async function openBackend(url: string): Promise<RemoteBackend> {
  if (/^https?:\/\//.test(url)) return new (await import('./http.ts')).HttpBackend(url);
  return new (await import('./folder.ts')).FolderBackend(url.replace(/^file:\/\//, ''));
}

export const acPath = (signature: string) => `ac/${signature}`;
export const casPath = (sha256: string) => `cas/${sha256}`;

/** A backend failure that makes the remote unusable for this build (it degrades to local building). */
export class RemoteUnavailable extends Error {}
