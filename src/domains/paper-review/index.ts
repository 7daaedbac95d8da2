export { paperReviewDomain as domain, paperReviewDomain, normalizeDecision } from './domain';
export * from './records';
export * from './read-file';
export * from './baseline';
