/** Typed user-facing errors. Only cli/main maps them to exit codes. */
export const EXIT_INTERNAL = 1;
export const EXIT_USER = 2;
export const EXIT_INTERRUPTED = 130;

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
    super(message);
    this.name = 'JhError';
    this.code = code;
    this.hint = options.hint;
    this.file = options.file;
    this.details = options.details ?? [];
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
