/**
 * A remote store of task results (cache entries), addressed by task signature, in the layout of
 * bazel-remote's HTTP cache: an action record at ac/<signature> names a content object at
 * cas/<sha256> (the entry packed as a tar). Content is written before its record, so a reader never
 * sees a record whose content is not complete. Backends: HTTP (nginx WebDAV, bazel-remote with AC
 * validation off) and a plain folder (NFS).
 */
import type { RemoteBackend } from './backend.ts';

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
