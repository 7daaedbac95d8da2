/**
 * The coding data as a pinned, checked data set: the files of the default pool (the polyglot
 * exercises), each pinned by sha256 at one commit of exercism/problem-specifications, read from
 * the mirror, the cache, or downloaded (`src/domains/data`), and served from memory. The bytes
 * used are the bytes that were checked; a mismatching file is refused, never half-used.
 */
import type { LoadOptions } from '../contract';
import { loadDatasetFiles, type DatasetSpec } from '../data';
import { parseCanonicalData } from './canonical';
import { EXERCISE_FILES, POLYGLOT_BY_LANGUAGE, PROBLEM_SPECIFICATIONS_COMMIT } from './exercise-manifest';
import type { CodingExercise, ExerciseSource } from './exercise-source';
import { CodingDataMissingError } from './exercise-source';

/** Mirror and cache layout, shared with `FileExerciseSource`: `<root>/coding/problem-specifications/exercises`. */
const EXERCISES_PREFIX = 'coding/problem-specifications/exercises/';
const UPSTREAM = `https://raw.githubusercontent.com/exercism/problem-specifications/${PROBLEM_SPECIFICATIONS_COMMIT}/exercises/`;

/** The polyglot pool of problem-specifications, pinned file by file. */
export const CODING_DATASET: DatasetSpec = {
  name: 'coding',
  source: `exercism/problem-specifications @ ${PROBLEM_SPECIFICATIONS_COMMIT.slice(0, 7)} (the polyglot pool)`,
  files: EXERCISE_FILES.map(([rel, sha256, bytes]) => ({
    path: EXERCISES_PREFIX + rel,
    sha256,
    bytes,
    url: UPSTREAM + rel,
  })),
};

/** Exercises from verified file contents (keyed by path under exercises/), and the pinned polyglot lists. */
export class PinnedExerciseSource implements ExerciseSource {
  constructor(
    private readonly files: ReadonlyMap<string, Buffer>,
    private readonly polyglot: Readonly<Record<string, readonly string[]>> = POLYGLOT_BY_LANGUAGE,
  ) {}

  listSlugs(): string[] {
    return [...this.files.keys()]
      .filter((p) => p.endsWith('/canonical-data.json'))
      .map((p) => p.slice(0, -'/canonical-data.json'.length))
      .sort();
  }

  readExercise(slug: string): CodingExercise {
    const canonical = this.text(slug, 'canonical-data.json');
    if (canonical === undefined)
      throw new CodingDataMissingError(`no canonical-data.json for exercise ${slug}`);
    const source = `${EXERCISES_PREFIX}${slug}/canonical-data.json`;
    let raw: unknown;
    try {
      raw = JSON.parse(canonical);
    } catch (e) {
      throw new Error(`${source}: invalid JSON (${(e as Error).message})`);
    }
    const parsed = parseCanonicalData(raw, source);
    // As FileExerciseSource: description.md, else introduction + instructions.
    const description =
      this.text(slug, 'description.md')?.trim() ??
      [this.text(slug, 'introduction.md'), this.text(slug, 'instructions.md')]
        .filter((s): s is string => s !== undefined)
        .map((s) => s.trim())
        .join('\n\n');
    return {
      slug,
      description,
      deprecated: this.files.has(`${slug}/.deprecated`),
      cases: parsed.cases,
      supersededUuids: parsed.supersededUuids,
    };
  }

  polyglotSlugs(language?: string): string[] {
    const lists = language === undefined ? Object.values(this.polyglot) : [this.polyglot[language]];
    if (lists.some((l) => l === undefined)) throw new Error(`polyglot list has no language ${language}`);
    return [...new Set((lists as string[][]).flat())].sort();
  }

  private text(slug: string, name: string): string | undefined {
    return this.files.get(`${slug}/${name}`)?.toString('utf8');
  }
}

/**
 * The pinned polyglot pool from the mirror (`dataDir` / HYPERAGENTS_DATA_DIR), the cache, or a
 * download when allowed (`allowDownload` / HYPERAGENTS_ALLOW_DOWNLOAD=1, through `fetchUrl`).
 * Throws `DataUnavailableError` naming what is missing and both ways to provide it, and
 * `DataIntegrityError` for a file whose bytes are not the pinned ones.
 */
export async function loadPinnedExerciseSource(
  options: Pick<LoadOptions, 'dataDir' | 'cacheDir' | 'allowDownload' | 'fetchUrl'> & {
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<PinnedExerciseSource> {
  const verified = await loadDatasetFiles(CODING_DATASET, options);
  const files = new Map<string, Buffer>();
  for (const [p, bytes] of verified) files.set(p.slice(EXERCISES_PREFIX.length), bytes);
  return new PinnedExerciseSource(files);
}
