export * from './input';
export * from './ids';
export * from './messages';
export * from './search-attributes';
