import { parse as parseCsv } from 'csv-parse/sync';

export type Grade = 'incorrect' | 'partial' | 'almost' | 'correct';
export const GRADES: readonly Grade[] = ['incorrect', 'partial', 'almost', 'correct'];
/** IMO-GradingBench points of each grade. */
export const GRADE_POINTS: Readonly<Record<Grade, number>> = {
  incorrect: 0,
  partial: 1,
  almost: 6,
  correct: 7,
};
export const MAX_POINTS = 7;

/** What the agent sees: one response to grade against the reference and the guidelines. */
export interface MathGradingInput {
  readonly problem: string;
  readonly referenceSolution: string;
  readonly gradingGuidelines: string;
  readonly response: string;
}

/** Host only: the human grade and the points it was given (0-7). */
export interface MathGradingLabel {
  readonly grade: Grade;
  readonly points: number;
}

export interface GradingRecord {
  readonly id: string;
  readonly input: MathGradingInput;
  readonly label: MathGradingLabel;
}

const REQUIRED_COLUMNS = ['Grading ID', 'Problem', 'Solution', 'Grading guidelines', 'Response', 'Points'];

/** Grade from the `Reward` column when present, else from Points (only 0/1/6/7 map unambiguously). */
function gradeOf(reward: string | undefined, points: number, where: string): Grade {
  const fromReward = reward?.trim().toLowerCase();
  if (fromReward) {
    if ((GRADES as readonly string[]).includes(fromReward)) return fromReward as Grade;
    throw new Error(`${where}: Reward "${reward}" is not one of Incorrect, Partial, Almost, Correct`);
  }
  const byPoints = GRADES.find((g) => GRADE_POINTS[g] === points);
  if (!byPoints) throw new Error(`${where}: Points ${points} has no unique grade; add a Reward column`);
  return byPoints;
}

/**
 * Parses a GradingBench CSV (the paper's split files, or a user's file in the same columns:
 * Grading ID, Problem, Solution, Grading guidelines, Response, Points, and optionally Reward).
 */
export function parseGradingCsv(text: string, source: string): GradingRecord[] {
  const rows = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<
    string,
    string
  >[];
  const header = rows[0] ? Object.keys(rows[0]) : [];
  const missing = REQUIRED_COLUMNS.filter((c) => rows.length > 0 && !header.includes(c));
  if (missing.length > 0) throw new Error(`${source}: missing column(s) ${missing.join(', ')}`);
  const seen = new Set<string>();
  return rows.map((row, i) => {
    const where = `${source}, row ${i + 1}`;
    const id = (row['Grading ID'] ?? '').trim();
    if (!id) throw new Error(`${where}: empty Grading ID`);
    if (seen.has(id)) throw new Error(`${where}: duplicate Grading ID "${id}"`);
    seen.add(id);
    const points = Number(row.Points);
    if (!Number.isInteger(points) || points < 0 || points > MAX_POINTS) {
      throw new Error(`${where}: Points must be an integer 0-7, got "${row.Points}"`);
    }
    return {
      id,
      input: {
        problem: row.Problem ?? '',
        referenceSolution: row.Solution ?? '',
        gradingGuidelines: row['Grading guidelines'] ?? '',
        response: row.Response ?? '',
      },
      label: { grade: gradeOf(row.Reward, points, where), points },
    };
  });
}
