import { codePointLabel, unsafeCharacter, UNSAFE_CHARACTERS } from '../../src/util/unsafeText';

describe('unsafe characters: one set for program paths, copied-out names and the terminal', () => {
  test.each([
    ['a\nb', 0x0a],
    ['a\rb', 0x0d],
    ['\x1b[2K', 0x1b],
    ['del\x7f', 0x7f],
    ['csi\x9b', 0x9b],
    ['.g\u200cit', 0x200c],
    ['line\u2028sep', 0x2028],
    ['x\u202egpj.mjs', 0x202e],
    ['iso\u2066late', 0x2066],
    ['\ufeffbom', 0xfeff],
  ])('%j holds U+%s', (text, code) => {
    expect(unsafeCharacter(text)).toBe(code);
    expect(text.replace(UNSAFE_CHARACTERS, '')).not.toBe(text);
  });

  test.each(['task/agent.mjs', 'naïve/日本語.txt', 'emoji 🙂.md', 'tab-free'])('%j is safe', (text) => {
    expect(unsafeCharacter(text)).toBeUndefined();
  });

  test('the global pattern can be reused without carrying state between calls', () => {
    expect(unsafeCharacter('a\nb')).toBe(0x0a);
    expect(unsafeCharacter('a\nb')).toBe(0x0a);
    expect(codePointLabel(0x1b)).toBe('U+001B');
  });
});
