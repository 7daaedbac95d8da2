import { runLocalProcess } from '../../src/host/localProcess';
import { STREAM_CAP } from '../../src/sandbox';

const node = (script: string, more: Partial<Parameters<typeof runLocalProcess>[0]> = {}) =>
  runLocalProcess({ command: process.execPath, args: ['-e', script], env: {}, timeoutMs: 10_000, ...more });

test('passes stdin, the given environment only, and reports the exit', async () => {
  const ran = await node(
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{console.log(s+Object.keys(process.env).join());process.exit(3)})',
    { stdin: 'in:', env: { ONLY: '1' } },
  );
  expect(ran).toMatchObject({ exitCode: 3, timedOut: false, stdout: 'in:ONLY\n' });
  expect(ran.violation).toBeUndefined();
});

test('a flood of output is capped and kills the child', async () => {
  const ran = await node('const b=Buffer.alloc(1<<20,97);const w=()=>process.stdout.write(b,w);w()');
  expect(ran.violation).toBe('stdout exceeded the output cap');
  expect(ran.signal).toBe('SIGKILL');
  expect(ran.stdout.length).toBe(STREAM_CAP);
});

test('a hang is killed at the time limit; a missing program is an error, not a rejection', async () => {
  expect(await node('setInterval(()=>{},1000)', { timeoutMs: 200 })).toMatchObject({
    timedOut: true,
    exitCode: null,
  });
  const missing = await runLocalProcess({ command: '/no/such/program', args: [], env: {}, timeoutMs: 1000 });
  expect(missing.error?.message).toMatch(/ENOENT/);
});
