import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CorruptObjectError, S3ObjectStore, sha256Hex } from '../../src/storage';

/**
 * S3ObjectStore reads an object again when its bytes fail their sha256 or its transfer is cut off
 * (a read racing s3rver's in-place rewrite), and refuses it only when that stays so. The S3 client
 * here is a fake answering GETs from a script, since the race cannot be made on demand; the real
 * race is test/archive/integrity.test.ts.
 */
type Answer = Buffer | 'cut off';

function scripted(sha256: string, answers: Answer[]): { store: S3ObjectStore; reads: () => number } {
  let reads = 0;
  const client = {
    send: (command: unknown) => {
      expect(command).toBeInstanceOf(GetObjectCommand);
      const answer = answers[Math.min(reads++, answers.length - 1)]!;
      if (answer === 'cut off')
        return Promise.reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      const bytes = answer;
      return Promise.resolve({
        Body: { transformToByteArray: () => Promise.resolve(bytes) },
        Metadata: { sha256 },
      });
    },
  } as unknown as S3Client;
  return { store: new S3ObjectStore(client, 'bucket', { rereadDelayMs: 1 }), reads: () => reads };
}

const whole = Buffer.from('{"nodeId":"gen-00001","scores":{}}');
const torn = whole.subarray(0, 10);

test('a torn read, then a whole one: the whole bytes, on the second read', async () => {
  const { store, reads } = scripted(sha256Hex(whole), [torn, whole]);
  expect(await store.get('k.json')).toEqual(whole);
  expect(reads()).toBe(2);
});

test('a transfer cut off, then a whole one: the whole bytes', async () => {
  const { store, reads } = scripted(sha256Hex(whole), ['cut off', 'cut off', whole]);
  expect(await store.get('k.json')).toEqual(whole);
  expect(reads()).toBe(3);
});

test('bytes that stay wrong are refused after four reads, naming the key', async () => {
  const { store, reads } = scripted(sha256Hex(whole), [torn]);
  const read = store.get('runs/r/k.json');
  await expect(read).rejects.toBeInstanceOf(CorruptObjectError);
  await expect(read).rejects.toThrow(
    new CorruptObjectError(
      'runs/r/k.json',
      'runs/r/k.json is corrupt: its bytes do not match the sha256 stored with them',
    ),
  );
  expect(reads()).toBe(4);
});

test('a transfer that stays cut off throws its own error (transient, not corrupt)', async () => {
  const { store, reads } = scripted(sha256Hex(whole), ['cut off']);
  await expect(store.get('k.json')).rejects.toMatchObject({ code: 'ECONNRESET' });
  expect(reads()).toBe(4);
});
