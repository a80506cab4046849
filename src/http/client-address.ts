import type { IncomingMessage } from 'node:http';

/**
 * The caller's address for throttling. Behind `trustedProxies` reverse proxies (an ingress, a
 * load balancer) the socket's peer is the nearest proxy; each proxy appends the address it saw to
 * X-Forwarded-For, so the client is the entry that many hops from the right. Entries further left
 * are written by the client and cannot be trusted.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedProxies)]!.slice(0, 100);
}
