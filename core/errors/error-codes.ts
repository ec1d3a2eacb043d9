// The catalogue lives in core/domain so that ports can type their value codes with it (ports import only core/domain).
export * from '../domain/error-codes.js';
