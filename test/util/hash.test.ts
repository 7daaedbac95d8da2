import { stringHash } from '../../src/util/hash';

test('stringHash is 32-bit FNV-1a (published test vectors)', () => {
  expect(stringHash('')).toBe(0x811c9dc5);
  expect(stringHash('a')).toBe(0xe40c292c);
  expect(stringHash('foobar')).toBe(0xbf9cf968);
  // The default run seed's loader seed, as docs/domains.md states it.
  expect(stringHash('hyperagents')).toBe(4028720531);
});
