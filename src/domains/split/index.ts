export * from './by-class';
