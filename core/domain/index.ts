export * from './units.js';
export * from './market.js';
export * from './orders.js';
