import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { UntrustedRunner } from '../../../src/domains/contract';
import { asDomain } from '../../../src/domains/registry';
import { createCodingDomain, jsonEqual, splitExercises, type CodingLabel } from '../../../src/domains/coding';
import { dataDir, hammingCorrect, hammingNoValidation } from './fixtures';

describe('splitExercises', () => {
  const slugs = Array.from({ length: 20 }, (_, i) => `ex-${String(i).padStart(2, '0')}`);

  it('is reproducible from the seed, independent of input order, and disjoint', () => {
    const a = splitExercises(slugs, 7, { train: 8, val: 4, test: 6 });
    const b = splitExercises([...slugs].reverse(), 7, { train: 8, val: 4, test: 6 });
    expect(a).toEqual(b);
    expect([a.train.length, a.val.length, a.test.length]).toEqual([8, 4, 6]);
    expect(new Set([...a.train, ...a.val, ...a.test]).size).toBe(18);
    expect(splitExercises(slugs, 8, { train: 8, val: 4, test: 6 })).not.toEqual(a);
  });

  it('defaults to 40% / 20% / rest and refuses sizes beyond the pool', () => {
    const s = splitExercises(slugs, 1);
    expect([s.train.length, s.val.length, s.test.length]).toEqual([8, 4, 8]);
    expect(() => splitExercises(slugs, 1, { train: 15, val: 5, test: 1 })).toThrow(/only 20 are usable/);
  });
});

describe('numeric comparison', () => {
  it('tolerates float noise but not real differences', () => {
    expect(jsonEqual(16, 16.000000000000004)).toBe(true);
    expect(jsonEqual([-1, 0], [-1, 1.2246467991473532e-16])).toBe(true);
    expect(jsonEqual(31.69, 31.7)).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
  });
});

describe('the coding Domain adapter', () => {
  const domain = createCodingDomain({ allowHostExecution: true });

  it('implements the contract', () => {
    expect(asDomain(domain, 'coding').name).toBe('coding');
    expect(domain.describe()).toMatch(/ES module/);
  });

  it('loads polyglot exercises into seeded, disjoint splits whose inputs carry no label', async () => {
    const loaded = await domain.loadTasks({ dataDir, seed: 3, sizes: { train: 10, val: 5, test: 5 } });
    const again = await domain.loadTasks({ dataDir, seed: 3, sizes: { train: 10, val: 5, test: 5 } });
    expect(loaded.splits.train.map((t) => t.id)).toEqual(again.splits.train.map((t) => t.id));
    const ids = [...loaded.splits.train, ...loaded.splits.val, ...loaded.splits.test].map((t) => t.id);
    expect(new Set(ids).size).toBe(20);
    expect([...loaded.labels.keys()].sort()).toEqual([...ids].sort());
    for (const t of loaded.splits.train) {
      const label = loaded.labels.get(t.id) as CodingLabel;
      const seen = JSON.stringify(t);
      for (const c of label.cases) expect(seen).not.toContain(c.uuid);
    }
  });

  it('scores on the host when allowed, and refuses without a sandbox otherwise', async () => {
    const loaded = await domain.loadTasks({ dataDir, seed: 0, sizes: { train: 0, val: 0, test: 0 } });
    expect(loaded.splits.train).toEqual([]);
    const label = (await allLabels()).get('hamming') as CodingLabel;
    const good = await domain.score(hammingCorrect, label, { taskId: 'hamming' });
    const bad = await domain.score(hammingNoValidation, label, { taskId: 'hamming' });
    expect([good.score, bad.score]).toEqual([1, 2 / 6]);
    expect(domain.aggregate([good, bad])).toEqual({ score: (1 + 2 / 6) / 2, solvedFraction: 0.5 });
    expect(domain.aggregate([])).toEqual({ score: 0, solvedFraction: 0 });

    const noSandbox = createCodingDomain();
    const refused = await noSandbox.score(hammingCorrect, label, { taskId: 'hamming' });
    expect(refused.score).toBe(0);
    expect(refused.details?.loadError).toMatch(/no sandbox/);
    expect((await domain.score(42, label, { taskId: 'hamming' })).score).toBe(0);
  });

  it('runs the harness through ScoreContext.runUntrusted: the harness as the one file, the calls on stdin', async () => {
    const label = (await allLabels()).get('hamming') as CodingLabel;
    const seenFiles: Record<string, string>[] = [];
    const seenStdin: string[] = [];
    // A stand-in for the sandbox: a fresh folder, the given files, the given command.
    const runUntrusted: UntrustedRunner = async (request) => {
      seenFiles.push({ ...request.files });
      seenStdin.push(request.stdin ?? '');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coding-sbx-'));
      try {
        for (const [name, text] of Object.entries(request.files))
          fs.writeFileSync(path.join(dir, name), text);
        const [cmd, ...args] = request.command;
        const r = spawnSync(cmd === 'node' ? process.execPath : (cmd as string), args, {
          cwd: dir,
          encoding: 'utf8',
          input: request.stdin,
          timeout: request.timeoutMs,
        });
        return { exitCode: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: r.error !== undefined };
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    };
    const sandboxed = createCodingDomain();
    const result = await sandboxed.score(hammingNoValidation, label, { taskId: 'hamming', runUntrusted });
    expect(result.score).toBe(2 / 6);
    expect(Object.keys(seenFiles[0] ?? {})).toEqual(['harness.mjs']);
    // The calls go on stdin; the expected values never enter the sandbox.
    expect(seenStdin[0]).toContain(label.cases[0]?.uuid);
    expect(seenStdin[0]).not.toContain('strands must be of equal length');
  });
});

async function allLabels(): Promise<ReadonlyMap<string, CodingLabel>> {
  const all = createCodingDomain({ pool: 'all' });
  return (await all.loadTasks({ dataDir, seed: 0, sizes: { train: 0, val: 0 } })).labels;
}
