/**
 * The remote cache over HTTP: GET/HEAD/PUT of ac/ and cas/ under a base URL (nginx with WebDAV
 * PUT, bazel-remote). Credentials in the URL (https://user:pass@host/) are sent as Basic auth
 * and never shown. Connection errors and 5xx make the remote unavailable for the rest of the build.
 */
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import got, { RequestError } from 'got';
import { redactUrls } from '../../errors.ts';
import { RemoteUnavailable, type RemoteBackend } from './backend.ts';

export class HttpBackend implements RemoteBackend {
  readonly where: string;
  private readonly base: URL;
  private readonly authorization: string | undefined;

  constructor(url: string) {
    const parsed = new URL(url.endsWith('/') ? url : `${url}/`);
    this.authorization = parsed.username ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}` : undefined;
    this.where = redactUrls(parsed.href);
    // The credentials go in the Authorization header, not in the request URL.
    parsed.username = '';
    parsed.password = '';
    this.base = parsed;
  }

  private options(method: 'GET' | 'HEAD' | 'PUT') {
    return { method, headers: this.authorization ? { authorization: this.authorization } : {}, throwHttpErrors: false, retry: { limit: 1 },
      timeout: { connect: 5_000, response: 60_000 }, responseType: 'buffer' as const };
  }

  private unavailable(rel: string, error: unknown): RemoteUnavailable {
    const why = error instanceof RequestError ? error.code : (error as Error).message;
    return new RemoteUnavailable(`${why} on ${rel}`);
  }

  private async request(method: 'GET' | 'HEAD' | 'PUT', rel: string, body?: Buffer | NodeJS.ReadableStream, size?: number) {
    let r;
    try {
      r = await got(new URL(rel, this.base).href, { ...this.options(method), body: body as Buffer, headers: { ...this.options(method).headers, ...(size !== undefined ? { 'content-length': String(size) } : {}) } });
    } catch (error) { throw this.unavailable(rel, error); }
    if (r.statusCode >= 500 || r.statusCode === 401 || r.statusCode === 403) throw new RemoteUnavailable(`${method} ${new URL(rel, this.base).href}: ${r.statusCode}`);
    return r;
  }

  async get(rel: string): Promise<Buffer | undefined> {
    const r = await this.request('GET', rel);
    return r.statusCode === 200 ? Buffer.from(r.body) : undefined;
  }

  async exists(rel: string): Promise<boolean> {
    return (await this.request('HEAD', rel)).statusCode === 200;
  }

  async download(rel: string, file: string): Promise<boolean> {
    if (!await this.exists(rel)) return false;
    try {
      await pipeline(got.stream(new URL(rel, this.base).href, { headers: this.options('GET').headers, retry: { limit: 1 } }), createWriteStream(file));
    } catch (error) {
      rmSync(file, { force: true });
      throw this.unavailable(rel, error);
    }
    return true;
  }

  async upload(rel: string, file: string): Promise<void> {
    const r = await this.request('PUT', rel, createReadStream(file), statSync(file).size);
    if (r.statusCode >= 300) throw new RemoteUnavailable(`PUT ${new URL(rel, this.base).href}: ${r.statusCode}`);
  }

  async put(rel: string, body: Buffer): Promise<void> {
    const r = await this.request('PUT', rel, body, body.length);
    if (r.statusCode >= 300) throw new RemoteUnavailable(`PUT ${new URL(rel, this.base).href}: ${r.statusCode}`);
  }
}
