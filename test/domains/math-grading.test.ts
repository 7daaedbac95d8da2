import * as fs from 'node:fs';
import * as path from 'node:path';
import { agentView, SPLITS, type LoadedTasks } from '../../src/domains/contract';
import {
  mathGradingDomain as domain,
  parseGradingCsv,
  type MathGradingInput,
  type MathGradingLabel,
} from '../../src/domains/math-grading';
import { DATA_DIR, tempDir } from './helpers';

const HEADER =
  'Grading ID,Problem ID,Problem,Solution,Grading guidelines,Response,Points,Reward,Problem Source';

describe('loadTasks keeps the paper splits', () => {
  let loaded: LoadedTasks<MathGradingInput, MathGradingLabel>;
  beforeAll(async () => {
    loaded = await domain.loadTasks({ dataDir: DATA_DIR });
  });

  it('has the files as train/val/test, in file order (ids checked by hand against the CSVs)', () => {
    expect(SPLITS.map((s) => loaded.splits[s].length)).toEqual([100, 100, 100]);
    expect(loaded.splits.train[0]?.id).toBe('GB-0849');
    expect(loaded.splits.train[99]?.id).toBe('GB-0255');
    expect(loaded.splits.val[0]?.id).toBe('GB-0477');
    expect(loaded.splits.test[0]?.id).toBe('GB-0083');
    expect(loaded.labels.get('GB-0849')).toEqual({ grade: 'almost', points: 6 });
    expect(loaded.labels.get('GB-0477')).toEqual({ grade: 'correct', points: 7 });
    expect(loaded.labels.get('GB-0083')).toEqual({ grade: 'partial', points: 1 });
    expect(loaded.splits.train[0]?.input.response).toHaveLength(5082);
  });

  it('has the paper grade counts per split', () => {
    const counts = (split: 'train' | 'val' | 'test') => {
      const c: Record<string, number> = {};
      for (const t of loaded.splits[split]) {
        const g = loaded.labels.get(t.id)?.grade ?? 'none';
        c[g] = (c[g] ?? 0) + 1;
      }
      return c;
    };
    expect(counts('train')).toEqual({ incorrect: 35, partial: 24, almost: 6, correct: 35 });
    expect(counts('val')).toEqual({ incorrect: 35, partial: 25, almost: 5, correct: 35 });
  });

  it('ignores seed and sizes for the fixed splits', async () => {
    const other = await domain.loadTasks({ dataDir: DATA_DIR, seed: 9, sizes: { train: 3 } });
    expect(other.splits.train.map((t) => t.id)).toEqual(loaded.splits.train.map((t) => t.id));
  });

  it('never puts the grade or points into an agent view', () => {
    for (const split of SPLITS) {
      const views = loaded.splits[split].map(agentView);
      const json = JSON.stringify(views);
      for (const field of ['"grade"', '"points"', '"Points"', '"Reward"', '"label"'])
        expect(json).not.toContain(field);
      for (const view of views) {
        expect(Object.keys(view.input).sort()).toEqual([
          'gradingGuidelines',
          'problem',
          'referenceSolution',
          'response',
        ]);
      }
    }
  });
});

describe("a user's GradingBench-format file", () => {
  const row = (id: string, points: number, reward: string) =>
    `${id},P1,"Prove x.","Proof.","(Partial) 1.","My answer",${points},${reward},Novel`;

  it('takes the grade from Reward (so Points 2-5 work) and splits each grade in thirds, seeded', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 6; i++) lines.push(row(`c${i}`, 7, 'Correct'));
    for (let i = 0; i < 3; i++) lines.push(row(`p${i}`, 3, 'Partial'));
    const file = path.join(tempDir('mg'), 'mine.csv');
    fs.writeFileSync(file, lines.join('\n'));
    const loaded = await domain.loadTasks({ dataFile: file, seed: 4 });
    expect(SPLITS.map((s) => loaded.splits[s].length)).toEqual([3, 3, 3]);
    expect(loaded.labels.get('p0')).toEqual({ grade: 'partial', points: 3 });
    const again = await domain.loadTasks({ dataFile: file, seed: 4 });
    expect(again.splits.val.map((t) => t.id)).toEqual(loaded.splits.val.map((t) => t.id));
  });

  it('refuses points without a unique grade, points out of range, and missing columns', () => {
    const noReward = 'Grading ID,Problem,Solution,Grading guidelines,Response,Points\nx,p,s,g,r,3\n';
    expect(() => parseGradingCsv(noReward, 'f.csv')).toThrow(
      'f.csv, row 1: Points 3 has no unique grade; add a Reward column',
    );
    expect(() => parseGradingCsv(`${HEADER}\n${row('x', 9, 'Correct')}`, 'f.csv')).toThrow(
      'Points must be an integer 0-7',
    );
    expect(() => parseGradingCsv('Grading ID,Problem\nx,p\n', 'f.csv')).toThrow(
      'missing column(s) Solution, Grading guidelines, Response, Points',
    );
  });
});

describe('scoring', () => {
  it('scores exact grade matches and the normalized points error, by hand', () => {
    expect(domain.score('correct', { grade: 'correct', points: 7 })).toEqual({
      score: 1,
      details: { valid: true, prediction: 'correct', pointsError: 0 },
    });
    expect(domain.score(' Almost ', { grade: 'partial', points: 1 })).toEqual({
      score: 0,
      details: { valid: true, prediction: 'almost', pointsError: 5 / 7 },
    });
    // A user's partial worth 3 points, predicted partial (1 point): right grade, 2 points off.
    expect(domain.score('partial', { grade: 'partial', points: 3 }).details?.pointsError).toBeCloseTo(
      2 / 7,
      12,
    );
    const invalid = domain.score(6, { grade: 'partial', points: 1 });
    expect(invalid.score).toBe(0);
    expect(invalid.details?.valid).toBe(false);
    expect(invalid.details?.pointsError).toBeCloseTo(6 / 7, 12);
  });

  it('aggregates accuracy and normalized MAE', () => {
    const perTask = [
      domain.score('correct', { grade: 'correct', points: 7 }), // 1, err 0
      domain.score('incorrect', { grade: 'almost', points: 6 }), // 0, err 6/7
      domain.score('partial', { grade: 'incorrect', points: 0 }), // 0, err 1/7
      domain.score('???', { grade: 'correct', points: 7 }), // 0, err 7/7
    ];
    const metrics = domain.aggregate(perTask);
    expect(metrics.score).toBe(0.25);
    expect(metrics.accuracy).toBe(0.25);
    expect(metrics.normalizedMae).toBeCloseTo((0 + 6 / 7 + 1 / 7 + 1) / 4, 12);
    expect(metrics.invalidRate).toBe(0.25);
    // A task the engine failed to run (no details) counts as the largest error.
    expect(domain.aggregate([{ score: 0 }]).normalizedMae).toBe(1);
  });
});
