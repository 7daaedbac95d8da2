/**
 * DGM's first step: one train task the program failed, drawn with the seeded ctx.rng so an offline
 * generation replays exactly, from the workspace's examples files (read by meta/workspace.mjs).
 */
/**
 * A task the parent did not fully solve: a score below 1, or an error (scored 0). A task it never
 * answered (no score: it stopped at the staged sample) is not a failure to diagnose.
 */
const failed = (example) => example.error !== undefined || example.score < 1;

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
