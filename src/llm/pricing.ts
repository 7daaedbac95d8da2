import { z } from 'zod';
import type { TokenUsage } from './types';

/** Price of one model in USD per million tokens, as providers publish them. */
export const modelPriceSchema = z
  .object({
    inputUsdPerMTok: z.number().nonnegative(),
    outputUsdPerMTok: z.number().nonnegative(),
  })
  .strict();

/** Keyed by the upstream model name (the real one, not the role). */
export const priceTableSchema = z.record(z.string(), modelPriceSchema);

export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type PriceTable = z.infer<typeof priceTableSchema>;

/** USD cost of a call, or undefined when the model has no price in the table. */
export function costUsd(prices: PriceTable, model: string, usage: TokenUsage): number | undefined {
  const price = prices[model];
  if (!price) return undefined;
  return (usage.promptTokens * price.inputUsdPerMTok + usage.completionTokens * price.outputUsdPerMTok) / 1e6;
}

/**
 * Rough token count of a text, used only to reserve budget before a call and when an upstream
 * omits `usage`: about four bytes per token for English and JSON, deliberately not a tokenizer.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
}
