/** Messages to a run need a worker to answer; without one the SDK waits forever. Say so instead. */
export async function withWorkerDeadline<T>(runId: string, p: Promise<T>, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `run ${runId} did not answer within ${ms / 1000} s: is a worker running? (\`hyperagents worker\`)`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
