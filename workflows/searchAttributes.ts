import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The custom search attributes the Temporal UI uses to find and sort runs. */
export const searchAttributes = {
  runId: defineSearchAttributeKey('HyperagentsRunId', SearchAttributeType.KEYWORD),
  generation: defineSearchAttributeKey('HyperagentsGeneration', SearchAttributeType.INT),
  bestScore: defineSearchAttributeKey('HyperagentsBestScore', SearchAttributeType.DOUBLE),
  status: defineSearchAttributeKey('HyperagentsStatus', SearchAttributeType.KEYWORD),
  domains: defineSearchAttributeKey('HyperagentsDomains', SearchAttributeType.KEYWORD_LIST),
};

/** Names and types as the Temporal CLI's `--search-attribute NAME=Type` expects them. */
export const searchAttributeTypes: Record<string, string> = {
  HyperagentsRunId: 'Keyword',
  HyperagentsGeneration: 'Int',
  HyperagentsBestScore: 'Double',
  HyperagentsStatus: 'Keyword',
  HyperagentsDomains: 'KeywordList',
};
