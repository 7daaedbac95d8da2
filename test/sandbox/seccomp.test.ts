import * as fs from 'fs';
import {
  AUDIT_ARCH,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS,
  seccompFilter,
  syscallNumber,
  type SeccompArch,
} from '../../src/sandbox/seccomp';
import { CLONE_NAMESPACE_FLAGS, DENIED_SYSCALLS } from '../../src/sandbox/seccompPolicy';

/**
 * The bubblewrap seccomp filter, run through a small classic-BPF interpreter for both architectures
 * (the host runs only one of them), and its syscall numbers checked against the installed kernel
 * headers. The hostile suite (test/hostile/bubblewrap.test.ts) checks the filter in a real session.
 */

/** Runs a seccomp program over one `struct seccomp_data` (nr, arch, args[0]); returns its action. */
function run(program: Buffer, data: { nr: number; arch: number; arg0?: number }): number {
  const word = (offset: number): number => {
    if (offset === 0) return data.nr >>> 0;
    if (offset === 4) return data.arch >>> 0;
    if (offset === 16) return (data.arg0 ?? 0) >>> 0;
    throw new Error(`unexpected load at ${offset}`);
  };
  let acc = 0;
  for (let pc = 0; pc < program.length / 8; pc++) {
    const code = program.readUInt16LE(pc * 8);
    const jt = program.readUInt8(pc * 8 + 2);
    const jf = program.readUInt8(pc * 8 + 3);
    const k = program.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) acc = word(k);
    else if (code === 0x15) pc += acc === k ? jt : jf;
    else if (code === 0x45) pc += (acc & k) !== 0 ? jt : jf;
    else if (code === 0x06) return k;
    else throw new Error(`unexpected opcode ${code}`);
  }
  throw new Error('fell off the end of the program');
}

const EPERM = SECCOMP_RET_ERRNO | 1;
const ENOSYS = SECCOMP_RET_ERRNO | 38;
/** read, write, openat, execve: what every program needs. */
const EVERYDAY: Record<SeccompArch, number[]> = { x64: [0, 1, 257, 59], arm64: [63, 64, 56, 221] };

describe.each<SeccompArch>(['x64', 'arm64'])('seccomp filter for %s', (arch) => {
  const program = seccompFilter(arch);
  const call = (nr: number, arg0?: number) => run(program, { nr, arch: AUDIT_ARCH[arch], arg0 });

  test('every denied syscall the architecture has returns EPERM', () => {
    const numbers = DENIED_SYSCALLS.map((n) => [n, syscallNumber(n, arch)] as const).filter(
      ([, nr]) => nr !== undefined,
    );
    expect(numbers.length).toBeGreaterThan(40);
    for (const [name, nr] of numbers) expect([name, call(nr!)]).toEqual([name, EPERM]);
  });

  test('everyday syscalls are allowed', () => {
    for (const nr of EVERYDAY[arch]) expect(call(nr)).toBe(SECCOMP_RET_ALLOW);
  });

  test('clone: allowed for fork and threads, EPERM with a namespace flag; clone3: ENOSYS', () => {
    const clone = syscallNumber('clone', arch)!;
    expect(call(clone, 0x11 /* SIGCHLD */)).toBe(SECCOMP_RET_ALLOW);
    expect(call(clone, 0x3d0f00 /* glibc's thread flags */)).toBe(SECCOMP_RET_ALLOW);
    for (let bit = 0; bit < 32; bit++) {
      const flag = (1 << bit) >>> 0;
      if ((CLONE_NAMESPACE_FLAGS & flag) !== 0) expect(call(clone, flag | 0x11)).toBe(EPERM);
    }
    expect(call(syscallNumber('clone3', arch)!)).toBe(ENOSYS);
  });

  test('another architecture is killed', () => {
    for (const other of [
      0x40000003 /* i386 */,
      0x40000028 /* arm */,
      AUDIT_ARCH[arch === 'x64' ? 'arm64' : 'x64'],
    ]) {
      expect(run(program, { nr: EVERYDAY[arch][0]!, arch: other })).toBe(SECCOMP_RET_KILL_PROCESS);
    }
  });
});

test('x86_64: the x32 numbers of any call are refused', () => {
  const program = seccompFilter('x64');
  expect(run(program, { nr: 0x40000000 | 0, arch: AUDIT_ARCH.x64 })).toBe(EPERM);
  expect(run(program, { nr: 0x40000000 | 425, arch: AUDIT_ARCH.x64 })).toBe(EPERM);
});

/** `#define __NR_<name> <n>` lines of an installed header. */
function header(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of fs.readFileSync(file, 'utf8').matchAll(/^#define __NR(?:3264)?_(\w+)\s+(\d+)\s*$/gm)) {
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

const HEADERS: Record<SeccompArch, string> = {
  x64: '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
  arm64: '/usr/include/asm-generic/unistd.h',
};

test.each<SeccompArch>(['x64', 'arm64'])('%s numbers match the kernel headers', (arch) => {
  if (!fs.existsSync(HEADERS[arch])) {
    console.warn(`${HEADERS[arch]} is not installed (linux-libc-dev): numbers not cross-checked`);
    return;
  }
  const table = header(HEADERS[arch]);
  for (const name of [...DENIED_SYSCALLS, 'clone', 'clone3']) {
    expect([name, syscallNumber(name, arch)]).toEqual([name, table.get(name)]);
  }
});
