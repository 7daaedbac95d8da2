import { missingDomains, type DomainScores } from './scores';

/** What eligibility reads from an archive node record. */
export interface EligibilityInput {
  /** null for the root of a run (the seed, or a transfer's start node). */
  readonly parentId: string | null;
  /** Whether the stored patch (after protected paths are restored) changes nothing. */
  readonly patchEmpty: boolean;
  /** Outcome of child validation (the program loads, a smoke task runs, within limits). */
  readonly validationPassed: boolean;
  readonly scores: DomainScores;
  /** Set once the node's meta agent crashed or timed out while it was a parent: the reason. */
  readonly barred?: string;
  /** Evaluations that do not count (LLM calls refused or failed while they ran), as `domain/split: why`. */
  readonly incomplete?: readonly string[];
}

export interface Eligibility {
  readonly eligible: boolean;
  /** Every rule the node breaks, in a fixed order; empty when eligible. */
  readonly reasons: readonly string[];
}

/**
 * ARCHITECTURE: eligible as a parent when the patch is non-empty, validation passed, there is a
 * score in every domain of the run, and the node is not barred. The root has no patch by nature and
 * is exempt from the first rule, otherwise generation 1 would have no parent to choose.
 */
export function eligibility(node: EligibilityInput, runDomains: readonly string[]): Eligibility {
  const reasons: string[] = [];
  if (node.patchEmpty && node.parentId !== null) reasons.push('empty patch');
  if (!node.validationPassed) reasons.push('failed validation');
  const missing = missingDomains(node.scores, runDomains);
  if (missing.length > 0) reasons.push(`no score in: ${missing.join(', ')}`);
  if (node.barred !== undefined) reasons.push(`barred: ${node.barred}`);
  // Never ranked on answers that are not the model's: no score may stand in for an incomplete one.
  if (node.incomplete && node.incomplete.length > 0)
    reasons.push(`evaluation incomplete: ${node.incomplete.join('; ')}`);
  return { eligible: reasons.length === 0, reasons };
}
