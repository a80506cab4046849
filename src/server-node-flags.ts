/**
 * Node flags the server process starts with: the Dockerfile's CMD, `npm start`, and the benches
 * and tests that start it as a child (test/unit/server-node-flags.test.ts keeps them in step).
 *
 * --single-threaded-gc: V8's background GC (concurrent marking, parallel scavenge and sweeping
 * on Node's four platform threads) cost about 4 ms of CPU per identify on a 2-core machine, on
 * top of the threads that own the heaps; done on those threads instead it cost no measurable
 * extra there (bench:identify, AMD EPYC 2 cores, three runs: server CPU per request 30.0 ms
 * against 31.3-33.8, platform threads 1.5 ms against 4.0-5.1, main thread 5.1-5.5 ms against
 * 4.6-5.6). The number and pauses of collections stayed the same (--trace-gc: main heap
 * mark-compacts of 4-15 ms, every few seconds under load).
 *
 * --initial-heap-size=64 (MB): each heap (the main thread's and every pipeline worker's) starts with
 * room for 64 MB before V8 asks for a full collection. At the default start, heaps of 10–15 MB
 * holding mostly short-lived image and tensor wrappers were mark-compacted every few images ("GC
 * in old space requested"). Under bench:identify (int8, files, 2 December, AMD EPYC 2 cores,
 * --server-flags=--trace-gc) the server's mark-compacts fell from 57 to 8 and its GC time from
 * 2,046 to 1,172 ms over the same run of about 460 images (about 1.9 ms each), scavenges
 * unchanged (182 and 183), and its peak RSS did not grow (VmHWM 820 MB without, 787 MB with). A
 * limit, not a reservation: pages are committed as the heap grows.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc', '--initial-heap-size=64'];
