import { safeText } from './format';

/** Prints a failure as one line; a stack trace only with HYPERAGENTS_DEBUG=1. */
export function reportError(e: unknown): number {
  const err = e instanceof Error ? e : new Error(String(e));
  // Messages quote agent text (a refused program path, a validator's reason): escaped, never raw.
  console.error(`hyperagents: ${safeText(err.message)}`);
  if (process.env.HYPERAGENTS_DEBUG === '1' && err.stack) console.error(err.stack);
  return 1;
}
