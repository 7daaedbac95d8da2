// The line diff of `diff.ts` on a worker thread: one request at a time, { before, after,
// maxEditLength } in, { hunks } out (null when the diff needs more edits than allowed). The policy
// (limits, fallback, headers) stays in diff.ts; this only runs jsdiff off the caller's thread.
import { parentPort } from 'node:worker_threads';
import { structuredPatch } from 'diff';

parentPort.on('message', ({ before, after, maxEditLength }) => {
  const patch = structuredPatch('', '', before, after, undefined, undefined, { context: 3, maxEditLength });
  parentPort.postMessage({ hunks: patch ? patch.hunks : null });
});
