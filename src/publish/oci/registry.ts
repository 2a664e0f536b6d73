/**
 * A client of the OCI distribution API on got: blobs (HEAD, monolithic and chunked uploads, GET),
 * manifests (PUT, GET) and referrers. Authentication answers the registry's challenge: Basic, or
 * the Bearer token flow of WWW-Authenticate. Connection errors and 5xx are retried; a 4xx is an
 * error that says what the registry answered. No secret is ever part of a message.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import got, { RequestError } from 'got';
import { JhError, redactSecrets } from '../../errors.ts';
import type { Credentials } from './credentials.ts';
import { formatReference, isLoopbackRegistry, type Reference } from './reference.ts';

export const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json'];

export interface RegistryOptions {
  readonly credentials?: Credentials;
  /** Plain HTTP for a registry that is not on loopback (which always gets plain HTTP). */
  readonly plainHttp?: boolean;
  /** Attempts for a request that met a connection error or a 5xx (default 4). */
  readonly attempts?: number;
  /** Blobs larger than this go up in PATCH chunks of this size (default 16 MiB). */
  readonly chunkSize?: number;
  /** pull, or pull,push. */
  readonly actions: 'pull' | 'pull,push';
}

type Body = () => Buffer | Readable;
/** What the client keeps of an HTTP answer. */
interface Answer { readonly statusCode: number; readonly headers: Record<string, string | string[] | undefined>; readonly body: Buffer }
interface SendOptions { headers?: Record<string, string>; body?: Body; accept?: number[]; followRedirect?: boolean; what: string }

const RETRIED_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

function parseChallenge(header: string | undefined): { scheme: string; params: Record<string, string> } | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme, params };
}

/** The registry's own words: {"errors":[{"code","message"}]} or the start of the body. */
function registrySaid(response: Answer): string {
  const text = response.body?.toString('utf8') ?? '';
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    if (parsed.errors?.length) return parsed.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch { /* not JSON */ }
  return text.trim().slice(0, 200) || '(no body)';
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export class RegistryClient {
  readonly base: string;
  private authorization: string | undefined;
  private readonly secrets: string[] = [];

  readonly ref: Reference;
  private readonly options: RegistryOptions;

  constructor(ref: Reference, options: RegistryOptions) {
    this.ref = ref;
    this.options = options;
    const plain = options.plainHttp || isLoopbackRegistry(ref.registry);
    this.base = `${plain ? 'http' : 'https'}://${ref.registry}/v2/`;
    const c = options.credentials;
    if (c) this.secrets.push(c.password, Buffer.from(`${c.username}:${c.password}`).toString('base64'));
  }

  private error(code: string, message: string, hint: string, details: string[] = []): JhError {
    const redact = (text: string) => redactSecrets(text, this.secrets);
    return new JhError(code, redact(message), { hint: redact(hint), details: details.map(redact) });
  }

  private url(path: string): string {
    return new URL(path, this.base).href;
  }

  private async once(method: string, url: string, o: SendOptions, authorization: string | undefined): Promise<Answer> {
    const r = await got(url, {
      method: method as 'GET', headers: { ...o.headers, ...(authorization ? { authorization } : {}) }, body: o.body?.(),
      throwHttpErrors: false, retry: { limit: 0 }, followRedirect: o.followRedirect ?? false, responseType: 'buffer',
      timeout: { connect: 15_000, response: 120_000 },
    });
    return { statusCode: r.statusCode, headers: r.headers, body: Buffer.from(r.body) };
  }

  /** One request with authentication and retries; answers in `accept` are returned, anything else is an error. */
  async send(method: string, path: string, o: SendOptions): Promise<Answer> {
    const url = this.url(path);
    const attempts = this.options.attempts ?? 4;
    let triedAuth = false;
    for (let attempt = 1; ; attempt++) {
      let response: Answer;
      try {
        response = await this.once(method, url, o, this.authorization);
      } catch (error) {
        const code = error instanceof RequestError ? error.code : undefined;
        if (code && RETRIED_CODES.has(code) && attempt < attempts) { await delay(attempt); continue; }
        throw this.error('E_OCI_UNREACHABLE', `${o.what}: ${this.ref.registry} did not answer (${code ?? (error as Error).message}) after ${attempt} attempt(s)`,
          'check that the registry runs and is reachable; a rerun skips what is already uploaded');
      }
      if (response.statusCode === 401 && !triedAuth) {
        triedAuth = true;
        this.authorization = await this.authenticate(response);
        attempt--;
        continue;
      }
      if (response.statusCode >= 500 && attempt < attempts) { await delay(attempt); continue; }
      if ((o.accept ?? [200]).includes(response.statusCode)) return response;
      throw this.refusal(response, o.what);
    }
  }

  private refusal(response: Answer, what: string): JhError {
    const said = registrySaid(response);
    const status = response.statusCode;
    const where = formatReference(this.ref);
    if (status === 401 || status === 403) {
      const who = this.options.credentials ? `user ${this.options.credentials.username} (from ${this.options.credentials.source})` : 'anonymous';
      return this.error('E_OCI_AUTH', `${what}: ${this.ref.registry} refused ${who}: ${status} ${said}`,
        this.options.credentials ? 'check the user name and password' : 'log in (skopeo login / docker login) or set JHBUILD_REGISTRY_USER and JHBUILD_REGISTRY_PASSWORD');
    }
    if (status === 404) return this.error('E_OCI_NOT_FOUND', `${what}: ${where}: not found (${said})`, 'check the repository name and tag');
    return this.error('E_OCI_REGISTRY', `${what}: ${this.ref.registry} answered ${status}: ${said}`,
      status >= 500 ? 'the registry failed; try again later' : 'the registry refused the request as sent; its answer above says why');
  }

  /** Answers a 401 challenge: Basic with the credentials, or a Bearer token from the named realm. */
  private async authenticate(response: Answer): Promise<string> {
    const challenge = parseChallenge(response.headers['www-authenticate'] as string | undefined);
    const c = this.options.credentials;
    const basic = c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
    if (challenge?.scheme === 'basic') {
      if (!basic) throw this.refusal(response, 'authenticate');
      return basic;
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) throw this.refusal(response, 'authenticate');
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', `repository:${this.ref.repository}:${this.options.actions}`);
    let answer: Answer;
    try {
      const r = await got(realm.href, { headers: basic ? { authorization: basic } : {}, throwHttpErrors: false, retry: { limit: 2 }, responseType: 'buffer' });
      answer = { statusCode: r.statusCode, headers: r.headers, body: Buffer.from(r.body) };
    } catch (error) {
      throw this.error('E_OCI_UNREACHABLE', `token service ${realm.origin} did not answer (${(error as RequestError).code ?? (error as Error).message})`, 'check the registry\'s token service');
    }
    if (answer.statusCode !== 200) throw this.refusal(answer, `token from ${realm.origin}`);
    const body = JSON.parse(answer.body.toString('utf8')) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw this.error('E_OCI_AUTH', `token service ${realm.origin} answered without a token`, 'check the registry\'s token service');
    this.secrets.push(token);
    return `Bearer ${token}`;
  }

  private repo(path: string): string {
    return `${this.ref.repository}/${path}`;
  }

  async blobExists(digest: string): Promise<boolean> {
    const r = await this.send('HEAD', this.repo(`blobs/${digest}`), { accept: [200, 404], followRedirect: true, what: `look for blob ${digest}` });
    return r.statusCode === 200;
  }

  /**
   * Uploads a blob: POST for a session, then one PUT (monolithic) or PATCH chunks and a closing PUT.
   * A session broken by the network starts over; what the registry has is kept across runs by digest.
   */
  async uploadBlob(digest: string, size: number, open: (start: number, end: number) => Buffer | Readable): Promise<void> {
    const chunk = this.options.chunkSize ?? 16 * 1024 * 1024;
    const what = `upload blob ${digest}`;
    const start = await this.send('POST', this.repo('blobs/uploads/'), { accept: [202], what, headers: { 'content-length': '0' } });
    let location = this.location(start, what);
    if (size <= chunk) {
      const put = new URL(location);
      put.searchParams.set('digest', digest);
      await this.send('PUT', put.href, { accept: [201], what, body: () => open(0, size), headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) } });
      return;
    }
    for (let offset = 0; offset < size; offset += chunk) {
      const end = Math.min(size, offset + chunk);
      const r = await this.send('PATCH', location, { accept: [202], what, body: () => open(offset, end),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(end - offset), 'content-range': `${offset}-${end - 1}` } });
      location = this.location(r, what);
    }
    const put = new URL(location);
    put.searchParams.set('digest', digest);
    await this.send('PUT', put.href, { accept: [201], what, headers: { 'content-length': '0' } });
  }

  private location(response: Answer, what: string): string {
    const location = response.headers.location;
    if (!location) throw this.error('E_OCI_REGISTRY', `${what}: ${this.ref.registry} gave no upload location`, 'the registry does not follow the OCI distribution API');
    return new URL(String(location), this.base).href;
  }

  /** PUT a manifest under a tag or its digest; says whether the registry took its subject (referrers API). */
  async putManifest(reference: string, body: Buffer, mediaType: string): Promise<{ digest: string; subjectAccepted: boolean }> {
    const digest = sha256Digest(body);
    const r = await this.send('PUT', this.repo(`manifests/${reference}`), { accept: [201], what: `push manifest ${reference}`,
      body: () => body, headers: { 'content-type': mediaType } });
    return { digest, subjectAccepted: Boolean(r.headers['oci-subject']) };
  }

  /** The manifest's bytes, checked against the digest asked for (or the one the registry states). */
  async getManifest(reference: string, accept404 = false): Promise<{ body: Buffer; mediaType: string; digest: string } | undefined> {
    const r = await this.send('GET', this.repo(`manifests/${reference}`), { accept: accept404 ? [200, 404] : [200], followRedirect: true,
      what: `fetch manifest ${reference}`, headers: { accept: MANIFEST_TYPES.join(', ') } });
    if (r.statusCode === 404) return undefined;
    const digest = sha256Digest(r.body);
    const stated = reference.startsWith('sha256:') ? reference : r.headers['docker-content-digest'] as string | undefined;
    if (stated && stated !== digest) {
      throw this.error('E_OCI_DIGEST', `manifest ${reference} from ${this.ref.registry} has digest ${digest}, expected ${stated}`, 'the registry or something between returned other bytes; nothing was kept');
    }
    return { body: r.body, mediaType: String(r.headers['content-type'] ?? '').split(';')[0]!, digest };
  }

  /** Downloads a blob to `path`, verifying size and sha256 before the file appears under its name. */
  async downloadBlob(digest: string, size: number, path: string): Promise<void> {
    // An authenticated HEAD first: the download itself follows redirects with the token already set.
    await this.send('HEAD', this.repo(`blobs/${digest}`), { accept: [200], followRedirect: true, what: `look for blob ${digest}` });
    const temp = `${path}.part`;
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      const stream = got.stream(this.url(this.repo(`blobs/${digest}`)), { headers: this.authorization ? { authorization: this.authorization } : {}, retry: { limit: 2 } });
      stream.on('data', (d: Buffer) => { hash.update(d); bytes += d.length; });
      await pipeline(stream, createWriteStream(temp));
    } catch (error) {
      rmSync(temp, { force: true });
      throw this.error('E_OCI_UNREACHABLE', `download blob ${digest}: ${(error as RequestError).code ?? (error as Error).message}`, 'check the registry; a rerun downloads it again');
    }
    const got256 = `sha256:${hash.digest('hex')}`;
    if (got256 !== digest || bytes !== size) {
      rmSync(temp, { force: true });
      throw this.error('E_OCI_DIGEST', `blob ${digest} arrived as ${got256} (${bytes} bytes, expected ${size})`, 'nothing was kept; the registry holds other bytes than its manifest names');
    }
    renameSync(temp, path);
  }

  /** Manifests whose subject is `digest`: the referrers API, or the tag fallback sha256-<hex>. */
  async referrers(digest: string): Promise<{ descriptors: Descriptor[]; via: 'api' | 'tag' }> {
    const api = await this.send('GET', this.repo(`referrers/${digest}`), { accept: [200, 404], what: `list referrers of ${digest}`, headers: { accept: MANIFEST_TYPES[1]! } });
    if (api.statusCode === 200 && String(api.headers['content-type']).startsWith(MANIFEST_TYPES[1]!)) {
      return { descriptors: (JSON.parse(api.body.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [], via: 'api' };
    }
    const index = await this.getManifest(referrersTag(digest), true);
    return { descriptors: index ? (JSON.parse(index.body.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [] : [], via: 'tag' };
  }
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;
  readonly data?: string;
}

/** The OCI 1.1 fallback tag under which a registry without the referrers API lists a subject's referrers. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}

function delay(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
}
