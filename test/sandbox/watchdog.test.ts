import { SessionWatchdog } from '../../src/sandbox/watchdog';

test('writing past the cap kills once and reports the first stream that overflowed', () => {
  const kill = jest.fn();
  const w = new SessionWatchdog({ kill, timeoutMs: 60_000, streamCap: 4 });
  w.stdout(Buffer.from('abc'));
  w.stderr(Buffer.from('0123456789'));
  w.stdout(Buffer.from('defgh'));
  expect(kill).toHaveBeenCalledTimes(2);
  expect(w.finish()).toEqual({
    timedOut: false,
    violation: 'stderr exceeded the output cap',
    stdout: 'abcd',
    stderr: '0123',
  });
});

test('the time limit and an abort kill; a throwing or rejecting kill never escapes', async () => {
  const kill = jest.fn(() => Promise.reject(new Error('gone')));
  const w = new SessionWatchdog({ kill, timeoutMs: 20 });
  await new Promise((r) => setTimeout(r, 60));
  expect(w.finish()).toMatchObject({ timedOut: true });
  expect(kill).toHaveBeenCalledTimes(1);

  const controller = new AbortController();
  const throwing = jest.fn(() => {
    throw new Error('gone');
  });
  const v = new SessionWatchdog({ kill: throwing, timeoutMs: 60_000, signal: controller.signal });
  controller.abort();
  expect(throwing).toHaveBeenCalledTimes(1);
  expect(v.finish()).toEqual({ timedOut: false, stdout: '', stderr: '' });
  controller.abort();
  expect(throwing).toHaveBeenCalledTimes(1);
});

test('an already aborted signal kills at once; finish stops listening', () => {
  const kill = jest.fn();
  new SessionWatchdog({ kill, timeoutMs: 60_000, signal: AbortSignal.abort() }).finish();
  expect(kill).toHaveBeenCalledTimes(1);
});
