/** A host check of `jhbuild doctor`: what is needed, how to prove it is there, which packages provide it. */

export interface ProbeContext {
  /** A scratch folder for this probe. */
  readonly work: string;
  readonly signal: AbortSignal;
}

export interface Finding {
  readonly problem: string;
  /** Debian packages that fix it (installed by `doctor --install`). */
  readonly packages: readonly string[];
  /** A fix that is not a package (e.g. enabling deb-src), run by `doctor --install` before apt-get install. */
  readonly fix?: () => Promise<void>;
}

export interface HostCheck {
  readonly what: string;
  /** Every Debian package a finding of this check may name: held against the archive by a test. */
  readonly packages: readonly string[];
  /** Undefined when the host passes. */
  probe(ctx: ProbeContext): Promise<Finding | undefined>;
}

/** The last lines of a log that say what went wrong (compiler errors, QEMU errors, apt errors). */
export function problemLines(text: string, limit = 3): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('$ '));
  const errors = lines.filter((l) => /error|not found|No such file|cannot|failed|Could not|E: /i.test(l));
  return (errors.length > 0 ? errors : lines).slice(-limit).join(' / ');
}
