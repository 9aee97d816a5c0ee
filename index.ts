export * from './generator/naming/index.js';
