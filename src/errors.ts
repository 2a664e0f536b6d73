/**
 * Typed user-facing errors (only cli/main maps them to exit codes), and the one redaction of
 * secrets for everything jhbuild prints or logs: URL passwords, query-string tokens, known secrets.
 */
export const EXIT_INTERNAL = 1;
export const EXIT_USER = 2;
export const EXIT_INTERRUPTED = 130;

// The one redaction: every message, log line and event that can carry a URL goes through it.
// scheme://USERINFO@ — userinfo runs to the last @ before the host (a password may hold an unescaped @).
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#\\@'"<>`]*(?:@[^\s/?#\\@'"<>`]*)*@/gi;
// ?token=… &access_token=… and the like, as web services and pre-signed URLs carry them.
const QUERY_SECRET = /([?&;](?:[a-z0-9_.-]*[_.-])?(?:token|access[_-]?token|private[_-]?token|auth|password|passwd|secret|api[_-]?key|apikey|key|sig|signature|credential|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential)=)[^&#\s'"<>`]*/gi;

/** `text` with the userinfo of every URL replaced by *** and secret query values by ***. */
export function redactUrls(text: string): string {
  if (!text.includes('://') && !text.includes('=')) return text;
  return text.replace(USERINFO, '$1***@').replace(QUERY_SECRET, '$1***');
}

/** `text` with URLs redacted and each of `secrets` (passwords, tokens) replaced by ***. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = redactUrls(text);
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out;
}

export interface JhErrorOptions {
  hint?: string;
  file?: string;
  /** Extra lines shown under the message (e.g. a log tail, a cycle). */
  details?: string[];
  exitCode?: number;
}

export class JhError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly file?: string;
  readonly details: string[];
  readonly exitCode: number;

  constructor(code: string, message: string, options: JhErrorOptions = {}) {
    // What reaches the user never carries a URL's password or token (redactUrls above).
    super(redactUrls(message));
    this.name = 'JhError';
    this.code = code;
    this.hint = options.hint === undefined ? undefined : redactUrls(options.hint);
    this.file = options.file;
    this.details = (options.details ?? []).map(redactUrls);
    this.exitCode = options.exitCode ?? EXIT_USER;
  }
}

/** By shape, not class: a layer's recipe may import another copy of jhbuild's src/errors.ts. */
export function isJhError(error: unknown): error is JhError {
  return error instanceof JhError || (error instanceof Error && error.name === 'JhError' && typeof (error as JhError).code === 'string'
    && Array.isArray((error as JhError).details));
}

export function formatError(error: JhError): string {
  const lines = [`error ${error.code}: ${error.message}`];
  if (error.file) lines.push(`  in ${error.file}`);
  for (const detail of error.details) lines.push(`  ${detail}`);
  if (error.hint) lines.push(`  hint: ${error.hint}`);
  return lines.join('\n');
}
