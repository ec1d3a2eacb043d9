// One canonical JSON for the whole project lives in core/domain (checkpoints and memory checksums need it there).
export { canonicalJson } from '../../core/domain/canonical-json.js';
