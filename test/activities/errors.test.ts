import { ApplicationFailure } from '@temporalio/activity';
import { mapErrors } from '../../activities/engine/errors';
import { ProgramPathError } from '../../src/agent/program';

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

  test('any other error is passed on as it is, for Temporal to retry', async () => {
    const boom = new Error('S3 unavailable');
    await expect(mapErrors(() => Promise.reject(boom))).rejects.toBe(boom);
  });
});
