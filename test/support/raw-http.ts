import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Body bytes the client had handed to the socket when the answer came. */
  bytesSent: number;
  /** Set when the connection was cut (EPIPE, ECONNRESET) before an answer could be read. */
  error?: string;
}

/**
 * POST /graphql with node:http, for what fetch cannot do: bind a chosen loopback source address
 * (127.0.0.2, ... are the same host with another client address) and stream a huge body from one
 * reused chunk, stopping as soon as the server answers, so the client holds no copy of it.
 */
export function rawPost(
  url: string,
  options: { headers?: Record<string, string>; body?: string; streamBytes?: number; localAddress?: string },
): Promise<RawResponse> {
  const target = new URL('/graphql', url);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const length = options.streamBytes ?? body?.length ?? 0;
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let answered = false;
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        localAddress: options.localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(length), ...options.headers },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), bytesSent });
          // An upload cut short leaves the request unfinished; this connection is done either way.
          if (!req.writableEnded) req.destroy();
        });
        res.on('error', reject);
      },
    );
    // A server that cuts a refused upload may reset the connection before its answer was read:
    // that is a refusal too (status 0, with the error), not a failure of the client.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return;
      if (bytesSent > 0 && (err.code === 'EPIPE' || err.code === 'ECONNRESET')) resolve({ status: 0, headers: {}, body: '', bytesSent, error: err.code });
      else reject(err);
    });
    if (body) {
      bytesSent = body.length;
      req.end(body);
      return;
    }
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!answered && !req.destroyed && bytesSent < length) {
        const n = Math.min(chunk.length, length - bytesSent);
        bytesSent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (bytesSent >= length && !req.writableEnded) req.end();
    };
    pump();
  });
}

/**
 * Latency of one GET /healthz, in milliseconds. A failed probe (a connection the stalled server
 * closed under it) counts the time until it failed: a lower bound of the stall.
 */
export async function healthzMs(url: string): Promise<number> {
  const started = performance.now();
  try {
    const res = await fetch(`${url}/healthz`);
    await res.arrayBuffer();
  } catch {
    // counted below
  }
  return performance.now() - started;
}

/** Polls /healthz every `everyMs` until stopped; returns every latency seen. */
export function sampleHealthz(url: string, everyMs = 20): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      samples.push(await healthzMs(url));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
