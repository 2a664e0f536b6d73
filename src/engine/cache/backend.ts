/** The contract of a remote task cache backend (HTTP, folder) and the paths of its objects. */
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

export const acPath = (signature: string) => `ac/${signature}`;
export const casPath = (sha256: string) => `cas/${sha256}`;

/** A backend failure that makes the remote unusable for this build (it degrades to local building). */
export class RemoteUnavailable extends Error {}
