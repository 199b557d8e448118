'use strict';
/*
 * Preloaded into the service under test (node --expose-gc -r bench/lib/probe.js dist/main.js).
 * Over the IPC channel the benchmark opened, { id, gc } asks for process.memoryUsage(), taken
 * after a full garbage collection when gc is true; the answer is { id, memory }. With
 * `snapshot` (a file path) a V8 heap snapshot is written there first (after the collection).
 * The channel does not keep the service alive, and nothing else in the service is touched.
 */
if (typeof process.send === 'function') {
  process.channel?.unref();
  process.on('message', (message) => {
    if (typeof message?.id !== 'number') return;
    if (message.gc && typeof globalThis.gc === 'function') globalThis.gc();
    if (typeof message.snapshot === 'string') require('node:v8').writeHeapSnapshot(message.snapshot);
    process.send({ id: message.id, memory: process.memoryUsage() });
  });
}
