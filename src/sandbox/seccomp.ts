/**
 * The seccomp filter of bubblewrap sessions: the deny-list both backends share (DENIED_SYSCALLS in
 * seccompPolicy.ts: io_uring, userfaultfd, bpf, keyrings, namespaces, mounts, ptrace, module and
 * kexec loading, ...) refused with EPERM; `clone` with a namespace flag refused too, and `clone3`
 * with ENOSYS (its flags sit in memory a filter cannot read; libc then falls back to `clone`). A call
 * made under another architecture than the one the filter was built for kills the process (the i386
 * ABI on an x86_64 host, for instance), and x86_64's x32 numbers are refused.
 *
 * bwrap takes the compiled classic-BPF program (`--seccomp FD`): an array of `struct sock_filter`
 * (linux/filter.h), assembled here with no native dependency.
 */
import { CLONE_NAMESPACE_FLAGS, DENIED_SYSCALLS } from './seccompPolicy';

export type SeccompArch = 'x64' | 'arm64';

/**
 * Syscall numbers, from the kernel's tables: x86_64 from arch/x86/entry/syscalls/syscall_64.tbl,
 * arm64 from include/uapi/asm-generic/unistd.h (the generic table arm64 uses); absent where the
 * architecture has no such call. Cross-checked against the installed headers (asm/unistd_64.h,
 * asm-generic/unistd.h) by test/sandbox/seccomp.test.ts.
 */
const NUMBERS: Record<string, Partial<Record<SeccompArch, number>>> = {
  acct: { x64: 163, arm64: 89 },
  add_key: { x64: 248, arm64: 217 },
  adjtimex: { x64: 159, arm64: 171 },
  bpf: { x64: 321, arm64: 280 },
  chroot: { x64: 161, arm64: 51 },
  clock_adjtime: { x64: 305, arm64: 266 },
  clock_settime: { x64: 227, arm64: 112 },
  clone: { x64: 56, arm64: 220 },
  clone3: { x64: 435, arm64: 435 },
  delete_module: { x64: 176, arm64: 106 },
  fanotify_init: { x64: 300, arm64: 262 },
  finit_module: { x64: 313, arm64: 273 },
  fsconfig: { x64: 431, arm64: 431 },
  fsmount: { x64: 432, arm64: 432 },
  fsopen: { x64: 430, arm64: 430 },
  fspick: { x64: 433, arm64: 433 },
  init_module: { x64: 175, arm64: 105 },
  io_uring_enter: { x64: 426, arm64: 426 },
  io_uring_register: { x64: 427, arm64: 427 },
  io_uring_setup: { x64: 425, arm64: 425 },
  ioperm: { x64: 173 },
  iopl: { x64: 172 },
  kcmp: { x64: 312, arm64: 272 },
  kexec_file_load: { x64: 320, arm64: 294 },
  kexec_load: { x64: 246, arm64: 104 },
  keyctl: { x64: 250, arm64: 219 },
  lookup_dcookie: { x64: 212, arm64: 18 },
  mount: { x64: 165, arm64: 40 },
  mount_setattr: { x64: 442, arm64: 442 },
  move_mount: { x64: 429, arm64: 429 },
  name_to_handle_at: { x64: 303, arm64: 264 },
  open_by_handle_at: { x64: 304, arm64: 265 },
  open_tree: { x64: 428, arm64: 428 },
  perf_event_open: { x64: 298, arm64: 241 },
  personality: { x64: 135, arm64: 92 },
  pidfd_getfd: { x64: 438, arm64: 438 },
  pivot_root: { x64: 155, arm64: 41 },
  process_vm_readv: { x64: 310, arm64: 270 },
  process_vm_writev: { x64: 311, arm64: 271 },
  ptrace: { x64: 101, arm64: 117 },
  quotactl: { x64: 179, arm64: 60 },
  quotactl_fd: { x64: 443, arm64: 443 },
  reboot: { x64: 169, arm64: 142 },
  request_key: { x64: 249, arm64: 218 },
  setdomainname: { x64: 171, arm64: 162 },
  sethostname: { x64: 170, arm64: 161 },
  setns: { x64: 308, arm64: 268 },
  settimeofday: { x64: 164, arm64: 170 },
  swapoff: { x64: 168, arm64: 225 },
  swapon: { x64: 167, arm64: 224 },
  syslog: { x64: 103, arm64: 116 },
  umount2: { x64: 166, arm64: 39 },
  unshare: { x64: 272, arm64: 97 },
  userfaultfd: { x64: 323, arm64: 282 },
  vhangup: { x64: 153, arm64: 58 },
};

/** The number of `name` on `arch`, or undefined where that architecture has no such call. */
export function syscallNumber(name: string, arch: SeccompArch): number | undefined {
  if (!(name in NUMBERS)) throw new Error(`seccomp: no syscall number known for ${name}`);
  return NUMBERS[name]![arch];
}

/** linux/audit.h: AUDIT_ARCH_X86_64 = EM_X86_64 | 64BIT | LE, AUDIT_ARCH_AARCH64 = EM_AARCH64 | 64BIT | LE. */
export const AUDIT_ARCH: Record<SeccompArch, number> = { x64: 0xc000003e, arm64: 0xc00000b7 };
/** x86_64's x32 ABI numbers its calls from this bit up: refused, or they would bypass the list. */
const X32_SYSCALL_BIT = 0x40000000;

// linux/seccomp.h return actions; the low 16 bits of SECCOMP_RET_ERRNO carry the errno.
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
const EPERM = 1;
const ENOSYS = 38;

// linux/bpf_common.h opcodes: class | size | mode, and jumps | comparison | source.
const BPF_LD_W_ABS = 0x00 | 0x00 | 0x20;
const BPF_JMP_JEQ_K = 0x05 | 0x10 | 0x00;
const BPF_JMP_JSET_K = 0x05 | 0x40 | 0x00;
const BPF_RET_K = 0x06 | 0x00;

// struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
/** The low 32 bits of args[0] (both architectures are little-endian). */
const OFFSET_ARG0_LOW = 16;

/** One instruction; a jump names its targets by label, resolved to relative offsets by `assemble`. */
type Insn =
  | { op: 'ld'; k: number }
  | { op: 'jeq' | 'jset'; k: number; jt: string | 0; jf: string | 0 }
  | { op: 'ret'; k: number }
  | { op: 'label'; name: string };

/** Encodes the program as `struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; }` entries. */
function assemble(program: Insn[]): Buffer {
  const at = new Map<string, number>();
  const insns: Array<Exclude<Insn, { op: 'label' }>> = [];
  for (const i of program) {
    if (i.op === 'label') at.set(i.name, insns.length);
    else insns.push(i);
  }
  const out = Buffer.alloc(insns.length * 8);
  insns.forEach((i, pc) => {
    // A jump skips `offset` instructions: forward only, at most 255 (the field is a byte).
    const offset = (target: string | 0): number => {
      if (target === 0) return 0;
      const to = at.get(target);
      if (to === undefined || to <= pc || to - pc - 1 > 255)
        throw new Error(`seccomp: bad jump to ${target}`);
      return to - pc - 1;
    };
    const jump = i.op === 'jeq' || i.op === 'jset';
    const code = { ld: BPF_LD_W_ABS, jeq: BPF_JMP_JEQ_K, jset: BPF_JMP_JSET_K, ret: BPF_RET_K }[i.op];
    out.writeUInt16LE(code, pc * 8);
    out.writeUInt8(jump ? offset(i.jt) : 0, pc * 8 + 2);
    out.writeUInt8(jump ? offset(i.jf) : 0, pc * 8 + 3);
    out.writeUInt32LE(i.k >>> 0, pc * 8 + 4);
  });
  return out;
}

/** The numbers of the shared deny-list on `arch` (a name the architecture lacks is skipped). */
function deniedNumbers(arch: SeccompArch): number[] {
  return [...new Set(DENIED_SYSCALLS.map((name) => syscallNumber(name, arch)))].filter(
    (nr): nr is number => nr !== undefined,
  );
}

/** The host's architecture as the filter names it, or undefined where no filter can be built. */
export function hostSeccompArch(arch: string = process.arch): SeccompArch | undefined {
  return arch === 'x64' || arch === 'arm64' ? arch : undefined;
}

/** The compiled filter for `arch` (default: this host's), ready for bwrap's `--seccomp FD`. */
export function seccompFilter(arch: SeccompArch | undefined = hostSeccompArch()): Buffer {
  if (!arch) throw new Error(`seccomp: no filter for architecture ${process.arch}`);
  const program: Insn[] = [
    // Any other ABI than the one the numbers below are for: kill.
    { op: 'ld', k: OFFSET_ARCH },
    { op: 'jeq', k: AUDIT_ARCH[arch], jt: 0, jf: 'kill' },
    { op: 'ld', k: OFFSET_NR },
    ...(arch === 'x64' ? [{ op: 'jset' as const, k: X32_SYSCALL_BIT, jt: 'deny', jf: 0 as const }] : []),
    ...deniedNumbers(arch).map((nr): Insn => ({ op: 'jeq', k: nr, jt: 'deny', jf: 0 })),
    { op: 'jeq', k: syscallNumber('clone3', arch)!, jt: 'enosys', jf: 0 },
    { op: 'jeq', k: syscallNumber('clone', arch)!, jt: 'clone', jf: 0 },
    { op: 'ret', k: SECCOMP_RET_ALLOW },
    // clone(flags, ...): refused when the flags ask for a new namespace.
    { op: 'label', name: 'clone' },
    { op: 'ld', k: OFFSET_ARG0_LOW },
    { op: 'jset', k: CLONE_NAMESPACE_FLAGS, jt: 'deny', jf: 0 },
    { op: 'ret', k: SECCOMP_RET_ALLOW },
    { op: 'label', name: 'deny' },
    { op: 'ret', k: SECCOMP_RET_ERRNO | EPERM },
    { op: 'label', name: 'enosys' },
    { op: 'ret', k: SECCOMP_RET_ERRNO | ENOSYS },
    { op: 'label', name: 'kill' },
    { op: 'ret', k: SECCOMP_RET_KILL_PROCESS },
  ];
  return assemble(program);
}
