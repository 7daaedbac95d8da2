/**
 * Archive.listNodes with the run's change log: the records read before are kept per worker and only
 * what the log names (and the nodes in flight) is read again, and what it returns is what a read of
 * every record returns. Real S3.
 */
import { Archive, nodeKey } from '../../src/archive';
import { newArchiveLog, noteChange, type ArchiveLog, type ArchiveView } from '../../src/archive/changes';
import { freshRunId, full, makeNode, realStore } from './fixtures';

const store = realStore();
afterAll(() => store.cleanUp());

const view = (log: ArchiveLog, inFlight: string[] = []): ArchiveView => ({ ...log, inFlight });

/** Node records read since `mark` (an index into the store's get log). */
const nodeReads = (mark: number) => store.getKeys.slice(mark).filter((k) => k.includes('/nodes/')).length;

async function runWith(generations: number) {
  const runId = freshRunId();
  const writer = new Archive(store);
  await writer.putNode(makeNode(runId, 0, null, { a: { train: full(0.5) } }));
  for (let g = 1; g < generations; g++)
    await writer.putNode(makeNode(runId, g, g - 1, { a: { train: full(g / 100) } }));
  return { runId, writer };
}

test('re-reads only the nodes the log names, and returns what a full read returns', async () => {
  const { runId, writer } = await runWith(6);
  const reader = new Archive(store);
  let log = noteChange(newArchiveLog('epoch-1'), ['gen-00000']);

  let mark = store.getKeys.length;
  expect(await reader.listNodes(runId, view(log))).toEqual(await writer.listNodes(runId));
  const firstRead = nodeReads(mark);

  // A new node and an old one changed (a bar), both logged: two reads, not six.
  await writer.putNode(makeNode(runId, 6, 2));
  await writer.updateNode(runId, 'gen-00002', { barred: true, barredReason: 'meta agent crashed' });
  log = noteChange(log, ['gen-00006', 'gen-00002']);
  mark = store.getKeys.length;
  const cached = await reader.listNodes(runId, view(log));
  expect(nodeReads(mark)).toBe(2);
  expect(firstRead).toBeGreaterThanOrEqual(6);
  expect(cached).toEqual(await writer.listNodes(runId));
  expect(cached.find((n) => n.nodeId === 'gen-00002')?.barred).toBe(true);

  // A decision on an old node, logged; a generation in flight beside this one is read too.
  await writer.updateNode(runId, 'gen-00001', { approval: { status: 'approved' } });
  await writer.putNode(makeNode(runId, 7, 6));
  log = noteChange(log, ['gen-00001']);
  mark = store.getKeys.length;
  const withInFlight = await reader.listNodes(runId, view(log, ['gen-00007', 'gen-00008']));
  expect(nodeReads(mark)).toBe(3);
  expect(withInFlight).toEqual(await writer.listNodes(runId));
});

test('a change the log does not name is not seen until it is logged: the log is what keeps the cache true', async () => {
  const { runId, writer } = await runWith(3);
  const reader = new Archive(store);
  let log = noteChange(newArchiveLog('epoch-1'), ['gen-00000']);
  await reader.listNodes(runId, view(log));
  await writer.updateNode(runId, 'gen-00001', { barred: true, barredReason: 'x' });
  expect((await reader.listNodes(runId, view(log))).find((n) => n.nodeId === 'gen-00001')?.barred).toBe(
    undefined,
  );
  log = noteChange(log, ['gen-00001']);
  expect((await reader.listNodes(runId, view(log))).find((n) => n.nodeId === 'gen-00001')?.barred).toBe(true);
});

test('reads the whole run again for an unknown change, another epoch, or a cache the log no longer reaches', async () => {
  const { runId, writer } = await runWith(4);
  const reader = new Archive(store);
  let log = noteChange(newArchiveLog('epoch-1'), ['gen-00000']);
  await reader.listNodes(runId, view(log));
  const wholeRead = async (v: ArchiveView) => {
    const mark = store.getKeys.length;
    const read = await reader.listNodes(runId, v);
    const reads = nodeReads(mark);
    expect(read).toEqual(await writer.listNodes(runId));
    return reads >= 4;
  };

  // A failed generation: the run cannot say what it wrote.
  await writer.putNode(makeNode(runId, 4, 1));
  log = noteChange(log, null);
  expect(await wholeRead(view(log))).toBe(true);
  // Nothing changed: nothing read.
  expect(await wholeRead(view(log))).toBe(false);
  // The same run id started anew (another epoch).
  expect(await wholeRead(view(noteChange(newArchiveLog('epoch-2'), ['gen-00000'])))).toBe(true);
  // Behind by more than the log keeps.
  let far = noteChange(newArchiveLog('epoch-3'), ['gen-00000']);
  await reader.listNodes(runId, view(far));
  for (let i = 0; i < 70; i++) far = noteChange(far, ['gen-00001']);
  expect(await wholeRead(view(far))).toBe(true);
});

test('a node removed from the store is dropped when it is read again', async () => {
  const { runId } = await runWith(3);
  const reader = new Archive(store);
  let log = noteChange(newArchiveLog('epoch-1'), ['gen-00000']);
  expect(await reader.listNodes(runId, view(log))).toHaveLength(3);
  await store.delete(nodeKey(runId, 'gen-00002'));
  log = noteChange(log, ['gen-00002']);
  expect((await reader.listNodes(runId, view(log))).map((n) => n.nodeId)).toEqual(['gen-00000', 'gen-00001']);
});

test('a blob is read from S3 and checked once per worker, then served from memory; a corrupt one is refused', async () => {
  const writer = new Archive(store);
  const reader = new Archive(store);
  const key = await writer.putBlob(`program ${freshRunId()}`);
  const blobReads = (mark: number) => store.getKeys.slice(mark).filter((k) => k === key).length;
  let mark = store.getKeys.length;
  const first = await reader.getBlob(key);
  first.fill(0); // a caller changing what it got does not change what is kept
  expect((await reader.getBlob(key)).toString()).toMatch(/^program /);
  expect(blobReads(mark)).toBe(1);
  // Corrupted in the store: a worker that never read it refuses it.
  await store.put(key, 'tampered');
  mark = store.getKeys.length;
  await expect(new Archive(store).getBlob(key)).rejects.toThrow(/corrupt: its content hashes differently/);
  expect(blobReads(mark)).toBe(1);
});
