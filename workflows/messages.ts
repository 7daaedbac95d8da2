import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BudgetChange } from '../src/engine/runState';
import type { RunStatus } from '../src/engine/types';

/** The run's messages: clients (the CLI) import these definitions to talk to a running evolution. */
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** `reviewer`: who decides, recorded in the node with the time (absent in updates sent before it). */
export const approveUpdate = defineUpdate<string, [nodeId: string, note?: string, reviewer?: string]>(
  'approve',
);
export const rejectUpdate = defineUpdate<string, [nodeId: string, note?: string, reviewer?: string]>(
  'reject',
);
export const setBudgetUpdate = defineUpdate<RunStatus['budget'], [change: BudgetChange]>('setBudget');
export const statusQuery = defineQuery<RunStatus>('status');
