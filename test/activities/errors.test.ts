import { ApplicationFailure } from '@temporalio/activity';
import { mapErrors } from '../../activities/engine/errors';
import { ProgramPathError } from '../../src/agent/program';
import { CorruptObjectError } from '../../src/storage';

describe('mapErrors: failures a retry cannot fix end the activity for good', () => {
  test('a stored program with a refused path (an old .git/config) is not retried', async () => {
    const failed = mapErrors(() =>
      Promise.reject(new ProgramPathError("program path '.git/config': a tool file")),
    );
    await expect(failed).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(failed).rejects.toMatchObject({
      nonRetryable: true,
      type: 'ProgramPathError',
      message: "program path '.git/config': a tool file",
    });
  });

  test('a stored object that fails its sha256 (the store has read it again already) is not retried', async () => {
    const key = 'runs/r/nodes/0/gen-00003.json';
    const failed = mapErrors(() => Promise.reject(new CorruptObjectError(key)));
    await expect(failed).rejects.toMatchObject({
      nonRetryable: true,
      type: 'CorruptObjectError',
      message: `${key} is corrupt: its bytes do not match the sha256 stored with them`,
    });
  });

  test('any other error is passed on as it is, for Temporal to retry', async () => {
    const boom = new Error('S3 unavailable');
    await expect(mapErrors(() => Promise.reject(boom))).rejects.toBe(boom);
  });
});
