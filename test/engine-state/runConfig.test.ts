import { parseRunConfig } from '../../src/engine';

describe('a run config whose selection contradicts its method is refused', () => {
  test.each([
    ['no-open-ended', 'score_child_prop', 'latest'],
    ['dgm', 'agent', 'dgm'],
  ])('%s with selection %s', (method, selection, rule) => {
    expect(() => parseRunConfig({ method, selection })).toThrow(
      `run.selection: method ${method} selects parents with ${rule}; selection '${selection}' contradicts it (drop selection, or use method dgm-h)`,
    );
  });

  test.each([
    ['no-open-ended', 'latest'],
    ['dgm', 'dgm'],
    ['dgm-h', 'score_prop'],
    ['no-self-improve', 'agent'],
  ])('%s with selection %s is fine', (method, selection) => {
    expect(parseRunConfig({ method, selection })).toMatchObject({ method, selection });
  });
});
