/** The coding domain: Exercism canonical data, a module-running harness, host-side scoring. */
import { createCodingDomain } from './domain';

export * from './canonical';
export * from './signature';
export * from './exercise-source';
export * from './task';
export * from './compare';
export * from './protocol';
export * from './run-harness';
export * from './score';
export * from './split';
export * from './stub-module';
export * from './domain';

/** The built-in instance the registry loads by name. */
export const domain = createCodingDomain();
export { CODING_DATASET, PinnedExerciseSource, loadPinnedExerciseSource } from './download-source';
