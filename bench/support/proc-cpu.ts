import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ; 100 on every Linux build we run on). */
const TICKS_PER_SECOND = 100;

/**
 * CPU milliseconds (user + system) a process, or one of its threads, has used so far, from
 * /proc; 0 when it is gone or this is not Linux. Unlike a V8 profile's sample times, this does not
 * count the time a thread waited for a core, so it stays comparable on a loaded machine.
 */
export function cpuMs(pid: number, tid?: number): number {
  try {
    const stat = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is the first, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The summed CPU milliseconds of several processes (e.g. the PostgreSQL backends of a database). */
export function cpuMsOf(pids: readonly number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, cpuMs(pid)]));
}

/** CPU milliseconds of each thread of a process so far, by thread id, with the thread's name (/proc comm). */
export function threadCpuMs(pid: number): Map<number, { name: string; ms: number }> {
  const out = new Map<number, { name: string; ms: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out.set(Number(tid), { name: Number(tid) === pid ? 'main' : name, ms: cpuMs(pid, Number(tid)) });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}
