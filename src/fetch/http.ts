/** HTTP downloads with got: retries with backoff, resuming a dropped transfer with a Range request. */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import got, { HTTPError } from 'got';

export interface DownloadOptions {
  readonly attempts?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** Downloads url into `part`, resuming what a dropped attempt left; returns the sha256 of the whole file. */
export async function downloadWithResume(url: string, part: string, options: DownloadOptions = {}): Promise<string> {
  const attempts = options.attempts ?? 5;
  rmSync(part, { force: true });
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const have = existsSync(part) ? statSync(part).size : 0;
    try {
      const stream = got.stream(url, {
        headers: have > 0 ? { range: `bytes=${have}-` } : {},
        retry: { limit: 0 },
        timeout: { connect: 10_000, response: 30_000, read: 30_000 },
        signal: options.signal,
        decompress: false,
      });
      const response = await new Promise<{ statusCode: number }>((resolve, reject) => {
        stream.once('response', resolve);
        stream.once('error', reject);
      });
      // 206 continues the file; a 200 answer to a Range request starts it again.
      const resume = have > 0 && response.statusCode === 206;
      if (have > 0) options.log?.(resume ? `resuming at byte ${have}` : 'server ignored the range; starting again');
      await pipeline(stream, createWriteStream(part, { flags: resume ? 'a' : 'w' }));
      return await hashFile(part);
    } catch (error) {
      lastError = error;
      if (options.signal?.aborted) throw error;
      if (error instanceof HTTPError) {
        const status = error.response.statusCode;
        if (status === 416) rmSync(part, { force: true });
        else if (status < 500) throw error;
      }
      options.log?.(`attempt ${attempt} of ${url} failed: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
