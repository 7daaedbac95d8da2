/**
 * The kernel surface a sandboxed program may use, shared by both backends: the syscalls it must never
 * make (refused with EPERM), the open-file limit, and the Docker backend's seccomp profile.
 *
 * The Docker profile is an allow-list written for this image (node and busybox), not a copy of the
 * engine's default profile: everything not listed fails with EPERM, so a syscall added to a future
 * kernel is refused until someone allows it here. The list was checked against node (child processes,
 * worker threads, TCP and Unix sockets, zlib, crypto, timers), busybox and the domains' task agents.
 */

/**
 * Syscalls refused with EPERM on both backends. New kernel attack surface (io_uring, userfaultfd, bpf,
 * perf), keys, namespaces, tracing other processes, mounts, kernel modules and kexec, file handles,
 * and clock, swap, reboot and accounting controls.
 */
export const DENIED_SYSCALLS: readonly string[] = [
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  'userfaultfd',
  'bpf',
  'perf_event_open',
  'keyctl',
  'add_key',
  'request_key',
  'unshare',
  'setns',
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'kcmp',
  'pidfd_getfd',
  'mount',
  'umount2',
  'pivot_root',
  'chroot',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'move_mount',
  'open_tree',
  'mount_setattr',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'open_by_handle_at',
  'name_to_handle_at',
  'fanotify_init',
  'quotactl',
  'quotactl_fd',
  'lookup_dcookie',
  'swapon',
  'swapoff',
  'reboot',
  'acct',
  'syslog',
  'settimeofday',
  'clock_settime',
  'clock_adjtime',
  'adjtimex',
  'sethostname',
  'setdomainname',
  'iopl',
  'ioperm',
  'personality',
  'vhangup',
];

/** Open files per process in a session (RLIMIT_NOFILE, soft = hard): enough for node, and a bound. */
export const OPEN_FILES_LIMIT = 1024;

/**
 * Namespace flags (linux/sched.h): CLONE_NEWTIME 0x80, NEWNS 0x20000, NEWCGROUP 0x02000000, NEWUTS
 * 0x04000000, NEWIPC 0x08000000, NEWUSER 0x10000000, NEWPID 0x20000000, NEWNET 0x40000000 (the same
 * mask as the bubblewrap filter's). clone is allowed only when none is set (fork, vfork, threads), so
 * no namespace is made that way either.
 */
export const CLONE_NAMESPACE_FLAGS = 0x7e020080;

/** Socket families a program may open: Unix (the gateway), IPv4/IPv6 (loopback only), netlink (getifaddrs). */
export const ALLOWED_SOCKET_FAMILIES = { AF_UNIX: 1, AF_INET: 2, AF_INET6: 10, AF_NETLINK: 16 } as const;

/**
 * Syscalls allowed without condition (besides `clone` and `socket`, allowed with the conditions above;
 * `clone3` fails with ENOSYS, so libc falls back to `clone`). Names unknown to an architecture are
 * ignored by the runtime (e.g. `open` on arm64).
 */
export const ALLOWED_SYSCALLS: readonly string[] = [
  // files and folders
  'read', 'write', 'open', 'openat', 'openat2', 'creat', 'close', 'close_range', 'lseek', '_llseek',
  'pread64', 'pwrite64', 'readv', 'writev', 'preadv', 'pwritev', 'preadv2', 'pwritev2',
  'stat', 'fstat', 'lstat', 'newfstatat', 'fstatat64', 'statx', 'statfs', 'fstatfs',
  'access', 'faccessat', 'faccessat2', 'getdents', 'getdents64', 'getcwd', 'chdir', 'fchdir',
  'rename', 'renameat', 'renameat2', 'mkdir', 'mkdirat', 'rmdir', 'link', 'linkat', 'unlink', 'unlinkat',
  'symlink', 'symlinkat', 'readlink', 'readlinkat', 'chmod', 'fchmod', 'fchmodat', 'fchmodat2',
  'chown', 'fchown', 'lchown', 'fchownat', 'umask', 'utime', 'utimes', 'utimensat', 'futimesat',
  'mknod', 'mknodat', 'truncate', 'ftruncate', 'fallocate', 'fadvise64', 'readahead',
  'fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range', 'flock', 'fcntl',
  'dup', 'dup2', 'dup3', 'pipe', 'pipe2', 'sendfile', 'copy_file_range', 'splice', 'tee', 'vmsplice',
  'getxattr', 'lgetxattr', 'fgetxattr', 'listxattr', 'llistxattr', 'flistxattr',
  'setxattr', 'lsetxattr', 'fsetxattr', 'removexattr', 'lremovexattr', 'fremovexattr',
  'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'memfd_create', 'ioctl',
  // memory
  'brk', 'mmap', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'msync', 'mlock', 'mlock2',
  'munlock', 'mlockall', 'munlockall', 'membarrier', 'pkey_mprotect', 'pkey_alloc', 'pkey_free',
  'get_mempolicy', 'set_mempolicy', 'mbind', 'mseal', 'map_shadow_stack',
  // processes and threads
  'fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'kill', 'tkill', 'tgkill',
  'getpid', 'getppid', 'gettid', 'getuid', 'geteuid', 'getgid', 'getegid', 'getgroups', 'getresuid',
  'getresgid', 'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setgroups',
  'setfsuid', 'setfsgid', 'capget', 'capset', 'getpgid', 'setpgid', 'getpgrp', 'getsid', 'setsid',
  'getpriority', 'setpriority', 'sched_yield', 'sched_getaffinity', 'sched_setaffinity',
  'sched_getparam', 'sched_setparam', 'sched_getscheduler', 'sched_setscheduler', 'sched_getattr',
  'sched_setattr', 'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval',
  'set_tid_address', 'set_robust_list', 'get_robust_list', 'futex', 'futex_waitv', 'rseq',
  'arch_prctl', 'prctl', 'getrlimit', 'setrlimit', 'prlimit64', 'getrusage', 'times', 'uname',
  'sysinfo', 'getcpu', 'ioprio_get', 'ioprio_set', 'pidfd_open', 'pidfd_send_signal',
  'get_thread_area', 'set_thread_area',
  // signals
  'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending', 'rt_sigtimedwait', 'rt_sigqueueinfo',
  'rt_tgsigqueueinfo', 'rt_sigsuspend', 'sigaltstack', 'pause', 'alarm', 'signalfd', 'signalfd4',
  'restart_syscall',
  // time
  'clock_gettime', 'clock_getres', 'clock_nanosleep', 'nanosleep', 'gettimeofday', 'time',
  'getitimer', 'setitimer', 'timer_create', 'timer_settime', 'timer_gettime', 'timer_getoverrun',
  'timer_delete', 'timerfd_create', 'timerfd_settime', 'timerfd_gettime',
  // waiting for events
  'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2',
  'poll', 'ppoll', 'select', 'pselect6', 'eventfd', 'eventfd2', 'getrandom',
  // sockets (the network namespace has only lo) and System V / POSIX IPC (the IPC namespace is private)
  'socketpair', 'bind', 'listen', 'accept', 'accept4', 'connect', 'getsockname', 'getpeername',
  'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg', 'shutdown', 'setsockopt', 'getsockopt',
  'shmget', 'shmat', 'shmdt', 'shmctl', 'semget', 'semop', 'semtimedop', 'semctl',
  'msgget', 'msgsnd', 'msgrcv', 'msgctl', 'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive',
  'mq_notify', 'mq_getsetattr',
]; // prettier-ignore

const EPERM = 1;
const ENOSYS = 38;

/** libseccomp's name for the host's architecture (the private dockerd runs on the worker's host). */
function seccompArch(arch: string): string {
  const known: Record<string, string> = { x64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64' };
  const name = known[arch];
  if (!name) throw new Error(`no seccomp profile for architecture ${arch}`);
  return name;
}

/**
 * The Docker seccomp profile (the JSON Docker reads from `SecurityOpt: ['seccomp=<json>']`): default
 * EPERM, the allow-list, `clone` without namespace flags, `socket` of the allowed families, `clone3`
 * ENOSYS, and the denied list spelled out (also EPERM) so it is refused whatever the default.
 * Only the host's architecture is listed: 32-bit syscalls are refused too.
 */
export function dockerSeccompProfile(arch: string = process.arch): string {
  const allow = (names: readonly string[], args?: object[]) => ({
    names,
    action: 'SCMP_ACT_ALLOW',
    ...(args ? { args } : {}),
  });
  return JSON.stringify({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: [seccompArch(arch)],
    syscalls: [
      allow(ALLOWED_SYSCALLS),
      allow(['clone'], [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]),
      ...Object.values(ALLOWED_SOCKET_FAMILIES).map((family) =>
        allow(['socket'], [{ index: 0, value: family, valueTwo: 0, op: 'SCMP_CMP_EQ' }]),
      ),
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
      { names: DENIED_SYSCALLS, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
    ],
  });
}
