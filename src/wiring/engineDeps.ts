import * as path from 'path';
import { Archive } from '../archive';
import type { LoadedConfig } from '../config';
import { sandboxFor } from '../devstack';
import { createDomainCatalog, type DomainCatalog } from '../domains';
import type { EngineDeps } from '../engine';
import { openGatewaySession, readCallLog, spendOf } from '../llm';
import type { Sandbox } from '../sandbox';
import { makeS3Client, S3ObjectStore, type ObjectStore } from '../storage';

/**
 * The composition root: the engine's dependencies as the config describes them (S3 archive, the
 * stack's sandbox, the LLM gateway, built-in and user domains). The worker, the CLI and the benches
 * all build them here, so they run the same services on the same world.
 */
export async function engineDepsFromConfig(
  c: LoadedConfig,
  /** The object store instead of the config's S3 (a bench wraps it to time its calls). */
  store: ObjectStore = new S3ObjectStore(makeS3Client(c), c.s3.bucket),
): Promise<EngineDeps & { store: ObjectStore }> {
  let sandbox: Promise<Sandbox> | undefined;
  return {
    store,
    archive: new Archive(store),
    // One sandbox per process; a failed start (stack not up yet) is tried again on the next call.
    sandbox: () =>
      (sandbox ??= sandboxFor(c).catch((e: unknown) => {
        sandbox = undefined;
        throw e;
      })),
    limits: c.sandbox,
    domains: await domainCatalogFromConfig(c),
    openLlmSession: (request) =>
      openGatewaySession({
        llm: c.llm,
        prices: c.llm.prices,
        store,
        ...request,
        // A session the caller gives no USD limit (`hyperagents eval`) is held to the configured cap.
        budgetLeft: { ...request.budgetLeft, usd: request.budgetLeft.usd ?? configuredUsdCap(c) },
      }),
    recordedSpend: async (runId, nodeId, include) =>
      spendOf((await readCallLog(store, runId, nodeId)).filter((r) => include(r.purpose ?? ''))),
  };
}

/** The config's USD cap (`run.budget.usd`), required when an LLM endpoint is configured. */
function configuredUsdCap(c: LoadedConfig): number | undefined {
  const usd = (c.run?.budget as { usd?: unknown } | undefined)?.usd;
  return typeof usd === 'number' && usd > 0 ? usd : undefined;
}

/** Built-in domains and the config's user domains (module paths relative to the config file). */
export function domainCatalogFromConfig(c: LoadedConfig): Promise<DomainCatalog> {
  return createDomainCatalog({
    domainModules: c.domainModules,
    baseDir: c.source ? path.dirname(c.source) : process.cwd(),
    dataDir: c.dataDir,
  });
}
