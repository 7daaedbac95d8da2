export * from './spec';
export * from './fetch-url';
export * from './resolve';
export * from './parquet';
