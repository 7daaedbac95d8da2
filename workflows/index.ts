export { smokeWorkflow } from './smoke';
export { evolutionRun, generationId } from './evolutionRun';
export { generationWorkflow } from './generation';
