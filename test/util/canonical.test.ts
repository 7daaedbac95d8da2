import { canonicalJson } from '../../src/util/canonical';

describe('canonicalJson', () => {
  test('sorts keys at every level (integer-like keys too), keeps array order, drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, '10': 0, '9': 0 })).toBe(
      '{"10":0,"9":0,"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  test('writes undefined array items as null, as JSON.stringify does', () => {
    expect(canonicalJson({ b: [{ y: 1, x: null }, undefined], a: 'q', u: undefined })).toBe(
      '{"a":"q","b":[{"x":null,"y":1},null]}',
    );
  });

  test('equal values give equal text whatever the insertion order', () => {
    const files = { 'b.mjs': 'x', 'a/c.json': '{"k": 1}', '2': 'two' };
    const reordered = { '2': 'two', 'a/c.json': '{"k": 1}', 'b.mjs': 'x' };
    expect(canonicalJson(files)).toBe(canonicalJson(reordered));
    expect(canonicalJson(files)).toBe('{"2":"two","a/c.json":"{\\"k\\": 1}","b.mjs":"x"}');
  });
});
