/** The kinds of source a recipe can pin: what fetch/ knows how to get and check. */

/** A file of a Debian source package, fetched through the host's own apt configuration. */
export interface DebianOrigin {
  /** Source package name, e.g. "linux". */
  readonly package: string;
  /** The version whose file is pinned; when the archive has moved on, any version shipping the same file (by sha256) will do. */
  readonly version: string;
  /** The file wanted, e.g. "linux_6.1.170.orig.tar.xz". */
  readonly file: string;
  /** `package` is a binary package and `file` its .deb (firmware that has no buildable source). */
  readonly binary?: boolean;
  /**
   * An archive component the host may not list (e.g. non-free-firmware): looked up on the host's
   * own archives and suites through a private apt state, never by changing the host's apt.
   */
  readonly component?: string;
}

export type Source =
  /** A file pinned by sha256, from its upstream url and/or a Debian source package (tried after the mirrors). */
  | { readonly type: 'tarball'; readonly url?: string; readonly sha256: string; readonly filename: string; readonly debian?: DebianOrigin }
  | { readonly type: 'git'; readonly url: string; readonly rev: string }
  | { readonly type: 'local'; readonly path: string }
  | { readonly type: 'none' };
