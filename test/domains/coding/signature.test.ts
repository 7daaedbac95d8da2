import { deriveSignatures, formatSignature, toCamelCase, toIdentifier } from '../../../src/domains/coding';
import { source } from './fixtures';

describe('signatures', () => {
  it('converts names to legal camelCase identifiers', () => {
    expect(toCamelCase('all-your-base')).toBe('allYourBase');
    expect(toCamelCase('snake_case_name')).toBe('snakeCaseName');
    expect(toCamelCase('allergicTo')).toBe('allergicTo');
    expect(toIdentifier('function')).toBe('function_');
    expect(toIdentifier('2x')).toBe('_2x');
  });

  it('list-ops: a reserved input key becomes a legal parameter', () => {
    const sigs = deriveSignatures(source.readExercise('list-ops').cases);
    const foldl = sigs.find((s) => s.name === 'foldl');
    expect(foldl && formatSignature(foldl)).toBe('foldl(list, initial, function_)');
    expect(foldl?.inputKeys).toEqual(['list', 'initial', 'function']);
  });

  it('piecing-it-together: cases with different keys give the union, in first-seen order', () => {
    const [sig] = deriveSignatures(source.readExercise('piecing-it-together').cases);
    expect(sig?.params).toEqual(['pieces', 'aspectRatio', 'rows', 'format', 'inside', 'border', 'columns']);
  });

  it('clock: one function per property, in order of first appearance', () => {
    expect(deriveSignatures(source.readExercise('clock').cases).map(formatSignature)).toEqual([
      'create(hour, minute)',
      'add(hour, minute, value)',
      'subtract(hour, minute, value)',
      'equal(clock1, clock2)',
    ]);
  });
});
