import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The custom search attributes the Temporal UI uses to find and sort runs and their generations: a
 * run and each of its generations carry HyperagentsRunId, so `HyperagentsRunId = "<run>"` lists
 * them all. HyperagentsGeneration is a run's generations done and a generation's own number;
 * HyperagentsStatus a run's state (running, paused, awaiting-approval, completed) or a generation's
 * (running, then eligible, ineligible or awaiting-approval).
 */
export const searchAttributes = {
  runId: defineSearchAttributeKey('HyperagentsRunId', SearchAttributeType.KEYWORD),
  generation: defineSearchAttributeKey('HyperagentsGeneration', SearchAttributeType.INT),
  bestScore: defineSearchAttributeKey('HyperagentsBestScore', SearchAttributeType.DOUBLE),
  /** A generation's own score (its node's ranking score); runs have HyperagentsBestScore instead. */
  score: defineSearchAttributeKey('HyperagentsScore', SearchAttributeType.DOUBLE),
  status: defineSearchAttributeKey('HyperagentsStatus', SearchAttributeType.KEYWORD),
  domains: defineSearchAttributeKey('HyperagentsDomains', SearchAttributeType.KEYWORD_LIST),
};

/** Names and types as the Temporal CLI's `--search-attribute NAME=Type` expects them. */
export const searchAttributeTypes: Record<string, string> = {
  HyperagentsRunId: 'Keyword',
  HyperagentsGeneration: 'Int',
  HyperagentsBestScore: 'Double',
  HyperagentsScore: 'Double',
  HyperagentsStatus: 'Keyword',
  HyperagentsDomains: 'KeywordList',
};
