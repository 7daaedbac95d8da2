import * as fs from 'node:fs';
import * as path from 'node:path';
import { agentView, DEFAULT_STAGED, type TaskScore } from '../../src/domains/contract';
import { mathGradingDomain } from '../../src/domains/math-grading';
import { paperReviewDomain } from '../../src/domains/paper-review';
import { DomainContractError, DomainRegistry, loadUserDomain } from '../../src/domains/registry';
import { tempDir } from './helpers';

/** A complete user domain as a user would write it: plain CommonJS, no imports from the project. */
const PARITY_DOMAIN = `
const numbers = [1, 2, 3, 4, 5, 6, 7, 8, 9];
function createDomain({ name, options }) {
  return {
    name,
    describe: () => 'Input: { n: number }. Return "even" or "odd".',
    async loadTasks() {
      const tasks = numbers.map((n) => ({ id: 'n' + n, input: { n: n * (options.scale || 1) } }));
      const labels = new Map(tasks.map((t) => [t.id, t.input.n % 2 === 0 ? 'even' : 'odd']));
      return { splits: { train: tasks.slice(0, 3), val: tasks.slice(3, 6), test: tasks.slice(6) }, labels };
    },
    score: (prediction, label) => ({ score: prediction === label ? 1 : 0 }),
    aggregate: (perTask) => ({ score: perTask.length ? perTask.reduce((s, t) => s + t.score, 0) / perTask.length : 0 }),
  };
}
`;

function writeModule(dir: string, file: string, text: string): string {
  const full = path.join(dir, file);
  fs.writeFileSync(full, text);
  return full;
}

describe('user-defined domains from a module path', () => {
  it('registers a factory module and runs its tasks end to end (load, agent view, score, aggregate)', async () => {
    const dir = tempDir('userdomain');
    writeModule(dir, 'parity.js', `${PARITY_DOMAIN}\nmodule.exports = { createDomain };`);
    const registry = new DomainRegistry();
    const [domain] = await registry.loadUserDomains(
      [{ name: 'parity', module: './parity.js', options: { scale: 1 } }],
      dir,
    );
    expect(registry.get('parity')).toBe(domain);
    expect(registry.names()).toContain('parity');
    const d = registry.get('parity');
    expect(d.staged).toEqual(DEFAULT_STAGED);
    const loaded = await d.loadTasks();
    const perTask: TaskScore[] = [];
    for (const task of loaded.splits.train) {
      const view = agentView(task) as { input: { n: number } };
      const prediction = view.input.n % 2 === 0 ? 'even' : 'odd';
      perTask.push(await d.score(prediction, loaded.labels.get(task.id), { taskId: task.id }));
    }
    perTask.push(await d.score('odd', loaded.labels.get('n4'), { taskId: 'n4' }));
    expect(d.aggregate(perTask).score).toBe(0.75);
  });

  it('accepts module.exports = factory, an async factory, an object, and a default export', async () => {
    const dir = tempDir('userdomain');
    writeModule(dir, 'fn.js', `${PARITY_DOMAIN}\nmodule.exports = createDomain;`);
    writeModule(
      dir,
      'async.js',
      `${PARITY_DOMAIN}\nmodule.exports = { createDomain: async (a) => createDomain(a) };`,
    );
    writeModule(
      dir,
      'object.js',
      `${PARITY_DOMAIN}\nmodule.exports = createDomain({ name: 'obj', options: {} });`,
    );
    writeModule(
      dir,
      'default.js',
      `${PARITY_DOMAIN}\nexports.default = createDomain({ name: 'dflt', options: {} });`,
    );
    const names = ['fn', 'async', 'obj', 'dflt'];
    const files = ['fn.js', 'async.js', 'object.js', 'default.js'];
    for (let i = 0; i < names.length; i++) {
      const domain = await loadUserDomain({ name: names[i]!, module: path.join(dir, files[i]!) }, '/');
      expect(domain.name).toBe(names[i]);
      expect((await domain.loadTasks()).splits.test).toHaveLength(3);
    }
  });

  it('says when the module file is missing', async () => {
    const dir = tempDir('userdomain');
    await expect(loadUserDomain({ name: 'x', module: 'nope.js' }, dir)).rejects.toThrow(
      `user domain "x" (module ${path.join(dir, 'nope.js')}): the module file does not exist`,
    );
  });

  it('says when the module throws while loading', async () => {
    const dir = tempDir('userdomain');
    writeModule(dir, 'boom.js', "throw new Error('kaboom');");
    await expect(loadUserDomain({ name: 'x', module: 'boom.js' }, dir)).rejects.toThrow(
      /failed to load: kaboom/,
    );
  });

  it('lists what is missing when the module does not implement the contract', async () => {
    const dir = tempDir('userdomain');
    writeModule(
      dir,
      'half.js',
      "module.exports = { name: 'half', describe() {}, loadTasks() {}, staged: { sampleSize: 0, gate: 0 } };",
    );
    const error = await loadUserDomain({ name: 'half', module: 'half.js' }, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainContractError);
    expect((error as Error).message).toContain('does not implement the Domain contract');
    expect((error as Error).message).toContain('`score` must be a function');
    expect((error as Error).message).toContain('`aggregate` must be a function');
    expect((error as Error).message).toContain('`staged` must be');
  });

  it('refuses a module whose domain name differs from the config entry', async () => {
    const dir = tempDir('userdomain');
    writeModule(
      dir,
      'object.js',
      `${PARITY_DOMAIN}\nmodule.exports = createDomain({ name: 'other', options: {} });`,
    );
    await expect(loadUserDomain({ name: 'parity', module: 'object.js' }, dir)).rejects.toThrow(
      'is named "other" but the config names it "parity"',
    );
  });

  it('refuses to shadow a built-in or an already registered domain', async () => {
    const dir = tempDir('userdomain');
    writeModule(dir, 'fn.js', `${PARITY_DOMAIN}\nmodule.exports = createDomain;`);
    const registry = new DomainRegistry();
    await expect(registry.loadUserDomains([{ name: 'paper-review', module: 'fn.js' }], dir)).rejects.toThrow(
      'a domain named "paper-review" is already registered',
    );
    await registry.loadUserDomains([{ name: 'p', module: 'fn.js' }], dir);
    await expect(registry.loadUserDomains([{ name: 'p', module: 'fn.js' }], dir)).rejects.toThrow(
      'already registered',
    );
  });
});

describe('built-in domains by name', () => {
  it('gets paper-review and math-grading', () => {
    const registry = new DomainRegistry();
    expect(registry.get('paper-review')).toBe(paperReviewDomain);
    expect(registry.get('math-grading')).toBe(mathGradingDomain);
  });

  it('names the known domains for an unknown name', () => {
    expect(() => new DomainRegistry().get('chess')).toThrow(
      /unknown domain "chess"; known: coding, math-grading, paper-review, reward-design/,
    );
  });

  it('registers a domain object directly', () => {
    const domain = {
      name: 'direct-test-domain',
      describe: () => '',
      loadTasks: async () => ({ splits: { train: [], val: [], test: [] }, labels: new Map() }),
      score: () => ({ score: 0 }),
      aggregate: () => ({ score: 0 }),
      staged: { sampleSize: 5, gate: 0.1 },
    };
    const registry = new DomainRegistry();
    registry.register(domain);
    expect(registry.get('direct-test-domain').staged).toEqual({ sampleSize: 5, gate: 0.1 });
  });
});
