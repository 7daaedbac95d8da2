/**
 * Reading exercises from a local mirror laid out as README "Domain data" shows (its coding/ folder). All file access for the
 * coding domain goes through `ExerciseSource`, so tests and other stores can substitute it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseCanonicalData, type CanonicalCase } from './canonical';

export interface CodingExercise {
  slug: string;
  /** The problem statement shown to the agent (description.md, or introduction + instructions). */
  description: string;
  /** Upstream marks retired exercises with a `.deprecated` file. */
  deprecated: boolean;
  /** Live cases in document order (superseded ones already dropped). */
  cases: CanonicalCase[];
  supersededUuids: string[];
}

export interface ExerciseSource {
  /** Slugs of exercises that have a canonical-data.json, sorted. */
  listSlugs(): string[];
  readExercise(slug: string): CodingExercise;
  /** Slugs of Aider's polyglot benchmark (all languages, or one), sorted and unique. */
  polyglotSlugs(language?: string): string[];
}

export class CodingDataMissingError extends Error {
  override name = 'CodingDataMissingError';
}

/** `<dataDir>/coding`, where dataDir is laid out as README "Domain data" shows. */
export class FileExerciseSource implements ExerciseSource {
  private readonly exercisesDir: string;
  private readonly polyglotFile: string;

  constructor(private readonly codingDir: string) {
    this.exercisesDir = path.join(codingDir, 'problem-specifications', 'exercises');
    this.polyglotFile = path.join(codingDir, 'polyglot', 'polyglot_exercises_by_language.json');
    if (!fs.existsSync(this.exercisesDir)) {
      throw new CodingDataMissingError(
        `coding data not found: ${this.exercisesDir} does not exist. Provide a mirror of ` +
          'exercism/problem-specifications (its exercises/ folder) under <dataDir>/coding/problem-specifications, ' +
          'where <dataDir> is HYPERAGENTS_DATA_DIR or the config key dataDir.',
      );
    }
  }

  listSlugs(): string[] {
    return fs
      .readdirSync(this.exercisesDir)
      .filter((slug) => fs.existsSync(path.join(this.exercisesDir, slug, 'canonical-data.json')))
      .sort();
  }

  readExercise(slug: string): CodingExercise {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug))
      throw new Error(`not an exercise slug: ${JSON.stringify(slug)}`);
    const dir = path.join(this.exercisesDir, slug);
    const file = path.join(dir, 'canonical-data.json');
    if (!fs.existsSync(file)) throw new CodingDataMissingError(`no canonical-data.json for exercise ${slug}`);
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`${file}: invalid JSON (${(e as Error).message})`);
    }
    const parsed = parseCanonicalData(raw, file);
    return {
      slug,
      description: readDescription(dir),
      deprecated: fs.existsSync(path.join(dir, '.deprecated')),
      cases: parsed.cases,
      supersededUuids: parsed.supersededUuids,
    };
  }

  polyglotSlugs(language?: string): string[] {
    if (!fs.existsSync(this.polyglotFile)) {
      throw new CodingDataMissingError(`polyglot slug list not found: ${this.polyglotFile}`);
    }
    const byLanguage = JSON.parse(fs.readFileSync(this.polyglotFile, 'utf8')) as Record<string, unknown>;
    const lists = language === undefined ? Object.values(byLanguage) : [byLanguage[language]];
    if (lists.some((l) => !Array.isArray(l))) throw new Error(`polyglot list has no language ${language}`);
    return [
      ...new Set((lists as unknown[][]).flat().filter((s): s is string => typeof s === 'string')),
    ].sort();
  }
}

/** The coding folder of a data dir: explicit, else HYPERAGENTS_DATA_DIR. */
export function codingDataDir(dataDir?: string): string {
  const root = dataDir ?? process.env.HYPERAGENTS_DATA_DIR;
  if (root === undefined || root === '') {
    throw new CodingDataMissingError(
      'no data directory: set HYPERAGENTS_DATA_DIR (or the config key dataDir) to a folder laid out like ' +
        'shared/data, holding coding/problem-specifications/exercises.',
    );
  }
  return path.join(root, 'coding');
}

function readDescription(dir: string): string {
  const read = (name: string): string | undefined => {
    const f = path.join(dir, name);
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim() : undefined;
  };
  const description = read('description.md');
  if (description !== undefined) return description;
  return [read('introduction.md'), read('instructions.md')].filter((s) => s !== undefined).join('\n\n');
}
