export { mathGradingDomain as domain, mathGradingDomain, normalizeGrade } from './domain';
export * from './records';
export * from './baseline';
