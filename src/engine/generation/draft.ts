import type { NodeRecord } from '../../archive';
import type { ChildDraft } from '../types';

/** The part of a stored node the generation workflow carries on with. */
export function draftOf(r: NodeRecord): ChildDraft {
  return {
    nodeId: r.nodeId,
    parentId: r.parentId,
    validation: { passed: r.validation.passed, reasons: [...r.validation.reasons] },
    metaChanged: r.metaChanged,
    costUsd: r.costUsd,
    tokens: r.tokens,
    ...(r.budgetRefusal !== undefined ? { budgetRefusal: r.budgetRefusal } : {}),
  };
}
