import {
  ALLOWED_SOCKET_FAMILIES,
  ALLOWED_SYSCALLS,
  CLONE_NAMESPACE_FLAGS,
  DENIED_SYSCALLS,
  dockerSeccompProfile,
} from '../../src/sandbox/seccompPolicy';

interface Rule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: Array<{ index: number; value: number; valueTwo: number; op: string }>;
}
interface Profile {
  defaultAction: string;
  defaultErrnoRet: number;
  architectures: string[];
  syscalls: Rule[];
}

const profile = JSON.parse(dockerSeccompProfile('x64')) as Profile;
const rulesFor = (name: string) => profile.syscalls.filter((r) => r.names.includes(name));

test('the Docker profile is an allow-list: anything not listed fails with EPERM, on the host architecture only', () => {
  expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
  expect(profile.defaultErrnoRet).toBe(1);
  expect(profile.architectures).toEqual(['SCMP_ARCH_X86_64']);
  expect(JSON.parse(dockerSeccompProfile('arm64'))).toMatchObject({ architectures: ['SCMP_ARCH_AARCH64'] });
  expect(() => dockerSeccompProfile('ia32')).toThrow('no seccomp profile for architecture ia32');
});

test('no denied syscall is allowed, and each is refused with EPERM by a rule of its own', () => {
  expect(ALLOWED_SYSCALLS.filter((n) => DENIED_SYSCALLS.includes(n))).toEqual([]);
  expect(new Set(ALLOWED_SYSCALLS).size).toBe(ALLOWED_SYSCALLS.length);
  for (const name of DENIED_SYSCALLS) {
    expect(rulesFor(name)).toEqual([expect.objectContaining({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 })]);
  }
});

test('clone only without namespace flags, socket only of the allowed families, clone3 ENOSYS', () => {
  expect(rulesFor('clone')).toEqual([
    {
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    },
  ]);
  expect(rulesFor('socket').map((r) => [r.action, r.args?.[0]?.op, r.args?.[0]?.value])).toEqual(
    Object.values(ALLOWED_SOCKET_FAMILIES).map((f) => ['SCMP_ACT_ALLOW', 'SCMP_CMP_EQ', f]),
  );
  expect(rulesFor('clone3')).toEqual([{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
});
