export * from './units.js';
export * from './market.js';
export * from './orders.js';
export * from './book-view.js';
export * from './random.js';
