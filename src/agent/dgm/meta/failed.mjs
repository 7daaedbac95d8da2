/**
 * DGM's first step: one train task the program failed, drawn with the seeded ctx.rng so an offline
 * generation replays exactly. Reads the workspace's examples files (the parent's train tasks).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The examples files of the workspace, parsed; unreadable ones are skipped. As the seed's
 * meta/workspace.mjs reads them: a meta agent imports only from its own set.
 */
export function readExampleSets(repoDir, workspace) {
  return Object.values(workspace?.examples ?? {}).flatMap((file) => {
    try {
      return [JSON.parse(readFileSync(path.join(repoDir, file), 'utf8'))];
    } catch {
      return [];
    }
  });
}

/** A task the parent did not fully solve: a score below 1, or an error (scored 0). */
const failed = (example) => example.error !== undefined || !(example.score >= 1);

/**
 * One failed example over all domains, uniformly by `rng.next()`, as { domain, describe, example },
 * or null when every example was solved (then there is nothing to diagnose).
 */
export function chooseFailedTask(sets, rng) {
  const pool = sets.flatMap((s) =>
    (s.examples ?? []).filter(failed).map((example) => ({ domain: s.domain, describe: s.describe, example })),
  );
  if (pool.length === 0) return null;
  return pool[Math.min(pool.length - 1, Math.floor(rng.next() * pool.length))];
}
