import * as fs from 'node:fs';
// The contract's vocabulary: every built-in domain imports the same names from it.
import {
  DEFAULT_STAGED,
  SPLITS,
  meanScore,
  type Domain,
  type LoadOptions,
  type LoadedTasks,
  type Metrics,
  type Split,
  type Task,
  type TaskScore,
  normalizeChoice,
} from '../contract';
import { loadDatasetFiles } from '../data/resolve';
import { MATH_GRADING_DATASET } from '../data/spec';
import { proportionalQuotas, splitByClass, type ClassQuotas } from '../split/by-class';
import {
  GRADES,
  GRADE_POINTS,
  MAX_POINTS,
  parseGradingCsv,
  type Grade,
  type GradingRecord,
  type MathGradingInput,
  type MathGradingLabel,
} from './records';

const DESCRIPTION = `Olympiad math grading: grade a candidate's proof the way an IMO grader would.
Input: { problem: string, referenceSolution: string, gradingGuidelines: string, response: string } (LaTeX-heavy text).
Return exactly one of the strings "incorrect", "partial", "almost", "correct" (worth 0, 1, 6 and 7 points).
The score is accuracy; the normalized mean absolute error over points is reported too.`;

/** The paper's fixed split files, by split. */
const SPLIT_FILES: Readonly<Record<Split, string>> = {
  train: 'math-grading/gradingbench_filtered_100_train.csv',
  val: 'math-grading/gradingbench_filtered_100_val.csv',
  test: 'math-grading/gradingbench_filtered_100_test.csv',
};

async function loadFixedSplits(options: LoadOptions): Promise<Record<Split, GradingRecord[]>> {
  const files = await loadDatasetFiles(MATH_GRADING_DATASET, options);
  const read = (split: Split): GradingRecord[] => {
    const bytes = files.get(SPLIT_FILES[split]);
    if (!bytes) throw new Error(`math-grading: ${SPLIT_FILES[split]} missing after loading`);
    return parseGradingCsv(bytes.toString('utf8'), SPLIT_FILES[split]);
  };
  return { train: read('train'), val: read('val'), test: read('test') };
}

/** A user's file is split by grade, seeded: explicit sizes keep grade proportions; by default each grade is cut in thirds. */
function splitUserFile(
  records: readonly GradingRecord[],
  options: LoadOptions,
): Record<Split, GradingRecord[]> {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.label.grade, (counts.get(r.label.grade) ?? 0) + 1);
  let quotas: ClassQuotas;
  if (options.sizes) {
    const sizes = {} as Record<Split, number>;
    for (const split of SPLITS) sizes[split] = options.sizes[split] ?? 0;
    quotas = proportionalQuotas(counts, sizes);
  } else {
    const third = (extra: boolean) =>
      new Map([...counts].map(([g, c]) => [g, Math.floor(c / 3) + (extra ? c % 3 : 0)] as const));
    quotas = { train: third(true), val: third(false), test: third(false) };
  }
  return splitByClass(
    records,
    (r) => r.label.grade,
    (r) => r.id,
    quotas,
    options.seed ?? 0,
  );
}

export function normalizeGrade(prediction: unknown): Grade | undefined {
  return normalizeChoice(prediction, GRADES);
}

/** Typed with `satisfies` so callers keep the synchronous `score`. */
export const mathGradingDomain = {
  name: 'math-grading',
  staged: DEFAULT_STAGED,
  describe: () => DESCRIPTION,

  async loadTasks(options: LoadOptions = {}): Promise<LoadedTasks<MathGradingInput, MathGradingLabel>> {
    const chosen = options.dataFile
      ? splitUserFile(parseGradingCsv(fs.readFileSync(options.dataFile, 'utf8'), options.dataFile), options)
      : await loadFixedSplits(options);
    const labels = new Map<string, MathGradingLabel>();
    const toTasks = (split: Split): Task<MathGradingInput>[] =>
      chosen[split].map((r) => {
        if (labels.has(r.id)) throw new Error(`math-grading: task id ${r.id} appears in more than one split`);
        labels.set(r.id, r.label);
        return { id: r.id, input: r.input };
      });
    return { splits: { train: toTasks('train'), val: toTasks('val'), test: toTasks('test') }, labels };
  },

  expectedPrediction: (label: MathGradingLabel) => label.grade,

  score(prediction: unknown, label: MathGradingLabel): TaskScore {
    const predicted = normalizeGrade(prediction);
    if (!predicted) {
      // An unusable answer costs the largest error possible for this task.
      const pointsError = Math.max(label.points, MAX_POINTS - label.points) / MAX_POINTS;
      return {
        score: 0,
        details: { valid: false, pointsError, reason: `prediction must be one of ${GRADES.join(', ')}` },
      };
    }
    return {
      score: predicted === label.grade ? 1 : 0,
      details: {
        valid: true,
        prediction: predicted,
        pointsError: Math.abs(GRADE_POINTS[predicted] - label.points) / MAX_POINTS,
      },
    };
  },

  aggregate(perTask: readonly TaskScore[]): Metrics {
    const n = perTask.length;
    const errorOf = (t: TaskScore): number =>
      typeof t.details?.pointsError === 'number' ? t.details.pointsError : 1;
    const accuracy = meanScore(perTask);
    return {
      score: accuracy,
      accuracy,
      normalizedMae: n === 0 ? 0 : perTask.reduce((sum, t) => sum + errorOf(t), 0) / n,
      invalidRate: n === 0 ? 0 : perTask.filter((t) => t.details?.valid !== true).length / n,
    };
  },
} satisfies Domain<MathGradingInput, MathGradingLabel>;
