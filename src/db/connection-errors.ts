/**
 * Whether an error means "the database cannot be reached right now" (stopped, restarting,
 * failing over, network gone) rather than "this query is wrong". Both drivers are recognised:
 * `pg` (socket errors, PostgreSQL's connection-class SQLSTATEs, its own messages) and Prisma over
 * the pg adapter (P1001/P1002/P1017, or a DriverAdapterError of kind DatabaseNotReachable).
 */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// 08xxx connection exceptions; 57P01-57P03 admin/crash shutdown and "cannot connect now"
// (starting up, shutting down, in recovery); 53300 too many connections.
const SQLSTATES = /^(08\d{3}|57P0[1-3]|53300)$/;
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TransactionAlreadyClosed']);
const MESSAGES = /Connection terminated|terminating connection|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down|in recovery)|Query read timeout/i;

export function isDatabaseUnreachable(err: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = err;
  // The original error sits some levels down: resolver wrappers, Prisma's meta, AggregateErrors.
  for (let depth = 0; depth < 6 && current && typeof current === 'object' && !seen.has(current); depth++) {
    seen.add(current);
    const e = current as { code?: unknown; message?: unknown; kind?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } }; errors?: unknown[]; cause?: unknown };
    if (typeof e.code === 'string' && (SOCKET_CODES.has(e.code) || SQLSTATES.test(e.code) || PRISMA_CODES.has(e.code))) return true;
    if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
    const adapterKind = e.meta?.driverAdapterError?.cause?.kind;
    if (typeof adapterKind === 'string' && ADAPTER_KINDS.has(adapterKind)) return true;
    if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
    if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnreachable(inner))) return true;
    current = e.cause;
  }
  return false;
}
