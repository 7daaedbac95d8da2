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
import { PAPER_REVIEW_DATASET } from '../data/spec';
import { balancedQuotas, splitByClass } from '../split/by-class';
import { readPaperFile } from './read-file';
import { DECISIONS, parseSharedJsonl, type Decision, type PaperInput, type PaperRecord } from './records';

export const PAPER_REVIEW_DEFAULT_SIZE = 100;

const DESCRIPTION = `Paper review: predict whether a conference submission was accepted.
Input: { title: string, abstract: string, keywords?: string[], fullText?: string } for one ICLR-style submission.
Return exactly one of the strings "accept" or "reject".
Each split holds as many accepted as rejected papers; the score is accuracy.`;

/** Per-split size: explicit sizes are obeyed (and fail loudly if the data is too small); defaults shrink to fit. */
function splitSizes(options: LoadOptions, records: readonly PaperRecord[]): Record<Split, number> {
  const perClass = Math.min(...DECISIONS.map((d) => records.filter((r) => r.decision === d).length));
  const fitting = Math.min(PAPER_REVIEW_DEFAULT_SIZE, 2 * Math.floor(perClass / 3));
  const sizes = {} as Record<Split, number>;
  for (const split of SPLITS) sizes[split] = options.sizes?.[split] ?? fitting;
  return sizes;
}

async function loadRecords(options: LoadOptions): Promise<PaperRecord[]> {
  if (options.dataFile) return (await readPaperFile(options.dataFile)).records;
  const files = await loadDatasetFiles(PAPER_REVIEW_DATASET, options);
  const file = PAPER_REVIEW_DATASET.files[0];
  const bytes = file && files.get(file.path);
  if (!bytes) throw new Error('paper-review: data set file missing after loading');
  return parseSharedJsonl(bytes.toString('utf8'), file.path).records;
}

export function normalizeDecision(prediction: unknown): Decision | undefined {
  return normalizeChoice(prediction, DECISIONS);
}

/** Typed with `satisfies` so callers keep the synchronous `score`. */
export const paperReviewDomain = {
  name: 'paper-review',
  staged: DEFAULT_STAGED,
  describe: () => DESCRIPTION,

  async loadTasks(options: LoadOptions = {}): Promise<LoadedTasks<PaperInput, Decision>> {
    const records = await loadRecords(options);
    const sizes = splitSizes(options, records);
    const chosen = splitByClass(
      records,
      (r) => r.decision,
      (r) => r.id,
      balancedQuotas(DECISIONS, sizes),
      options.seed ?? 0,
    );
    const labels = new Map<string, Decision>();
    const toTasks = (rs: readonly PaperRecord[]): Task<PaperInput>[] =>
      rs.map((r) => {
        labels.set(r.id, r.decision);
        return { id: r.id, input: r.input };
      });
    return {
      splits: { train: toTasks(chosen.train), val: toTasks(chosen.val), test: toTasks(chosen.test) },
      labels,
    };
  },

  expectedPrediction: (label: Decision) => label,

  score(prediction: unknown, label: Decision): TaskScore {
    const predicted = normalizeDecision(prediction);
    if (!predicted) {
      return { score: 0, details: { valid: false, reason: 'prediction must be "accept" or "reject"' } };
    }
    return { score: predicted === label ? 1 : 0, details: { valid: true, prediction: predicted } };
  },

  aggregate(perTask: readonly TaskScore[]): Metrics {
    const n = perTask.length;
    const rate = (test: (t: TaskScore) => boolean): number => (n === 0 ? 0 : perTask.filter(test).length / n);
    const accuracy = meanScore(perTask);
    return {
      score: accuracy,
      accuracy,
      predictedAcceptRate: rate((t) => t.details?.prediction === 'accept'),
      invalidRate: rate((t) => t.details?.valid !== true),
    };
  },
} satisfies Domain<PaperInput, Decision>;
