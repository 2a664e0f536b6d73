/** OCI references as users type them: [oci://]host[:port]/repo/path[:tag][@sha256:hex]. Pure. */
import { JhError } from '../../errors.ts';

export interface Reference {
  /** host[:port] as typed: the key for credentials too. */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

function refused(text: string, why: string, hint: string): JhError {
  return new JhError('E_OCI_REFERENCE', `${text}: ${why}`, { hint });
}

export function parseReference(text: string): Reference {
  const example = 'e.g. registry.example:5000/team/jailhouse:qemu-arm64';
  let rest = text.startsWith('oci://') ? text.slice('oci://'.length) : text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw refused(text, `"${digest}" is not a sha256 digest`, 'a digest is sha256: and 64 lowercase hex digits');
  }
  const slash = rest.indexOf('/');
  const registry = slash > 0 ? rest.slice(0, slash) : '';
  // Like Docker: the first component is a registry only when it looks like a host.
  if (!registry || !(/[.:]/.test(registry) || registry === 'localhost')) {
    throw refused(text, 'no registry host', `name the registry first: ${example}`);
  }
  let path = rest.slice(slash + 1);
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) throw refused(text, `"${tag}" is not a valid tag`, 'a tag is up to 128 letters, digits, _ . - and does not start with . or -');
  }
  const bad = path.split('/').find((c) => !COMPONENT.test(c));
  if (bad !== undefined) {
    throw refused(text, `repository "${path}" has an invalid part "${bad}"`, `repository names are lowercase letters and digits separated by / . _ -: ${example}`);
  }
  return { registry, repository: path, tag: tag ?? (digest ? undefined : 'latest'), digest };
}

export function formatReference(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Registries on the loopback interface are spoken to in plain HTTP, as Docker does. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
