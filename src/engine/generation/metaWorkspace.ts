import { z } from 'zod';
import type { NodeRecord, TrainHistory } from '../../archive';
import { traceSummary, workspaceFiles, type TrainExamples } from '../../agent/workspace';
import type { ProgramFiles } from '../../agent/program';
import { agentView } from '../../domains';
import type { EngineDeps } from '../deps';
import { numericSeed, sizesFor } from '../seeds';
import type { RunConfig } from '../types';

/**
 * The per-task part of a stored split report (src/evaluation's SplitReport), read field by field:
 * the report is host-side and may grow, and only these fields may reach the meta agent.
 */
const reportTasks = z.object({
  tasks: z.array(
    z.object({
      id: z.string(),
      prediction: z.unknown().optional(),
      error: z.string().optional(),
      score: z.number(),
      details: z.unknown().optional(),
      answer: z.string().optional(),
      trace: z.unknown().optional(),
    }),
  ),
});

/**
 * The train examples of one domain for a session rewriting `parent`: every task of the run's train
 * split (its input as the agent sees it, its label), with the parent's answer, score and trace where
 * its stored train report has one (a parent stopped at the staged gate answered only the staged
 * sample). Only train ids are ever joined, so a report that held anything else could not carry it in.
 */
async function trainExamplesOf(
  deps: EngineDeps,
  config: RunConfig,
  parent: NodeRecord,
  domainName: string,
): Promise<TrainExamples | undefined> {
  const domain = deps.domains.domain(domainName);
  const loaded = await deps.domains.tasks(domain, numericSeed(config.seed), sizesFor(config, domainName));
  if (loaded.splits.train.length === 0) return undefined;
  const key = parent.scores[domainName]?.train?.reportKey;
  const report = key === undefined ? undefined : reportTasks.safeParse(await deps.archive.getReport(key));
  const answered = new Map((report?.success ? report.data.tasks : []).map((t) => [t.id, t] as const));
  const examples = loaded.splits.train.map((task) => {
    const label = loaded.labels.get(task.id);
    const t = answered.get(task.id);
    return {
      id: task.id,
      input: agentView(task).input,
      label,
      ...(domain.expectedPrediction ? { expected: domain.expectedPrediction(label) } : {}),
      ...(t
        ? {
            ...(t.error === undefined ? { prediction: t.prediction } : { error: t.error }),
            score: t.score,
            details: t.details,
            answer: t.answer,
            trace: traceSummary(t.trace),
          }
        : {}),
    };
  });
  return {
    domain: domainName,
    describe: domain.describe(),
    split: 'train',
    node: parent.nodeId,
    comparison: domain.expectedPrediction ? 'exact' : null,
    examples,
  };
}

/**
 * The files of the meta agent's workspace (src/agent/workspace) for a session rewriting `parent`:
 * the archive summary it is given and the parent's train examples of every run domain.
 */
export async function metaWorkspace(
  deps: EngineDeps,
  config: RunConfig,
  parent: NodeRecord,
  summary: TrainHistory,
): Promise<ProgramFiles> {
  const examples = await Promise.all(config.domains.map((d) => trainExamplesOf(deps, config, parent, d)));
  return workspaceFiles(
    summary,
    examples.filter((e): e is TrainExamples => e !== undefined),
  );
}
