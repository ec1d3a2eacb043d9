import { paperValidationScenarios } from '../support/paper-validation.js';

// Opt-in: `npm run validate:live` with HARVESTER_TWS_HOST/PORT/CLIENT_ID/ACCOUNT set for a PAPER account (see
// docs/live-validation-runbook.md). The scenarios refuse any account that is not a paper account.
const enabled = process.env.HARVESTER_LIVE_TWS === '1';

(enabled ? describe : describe.skip)('live validation against a paper TWS / IB Gateway (opt-in)', function () {
  this.timeout(120_000);
  paperValidationScenarios(() => {
    const need = (name: string): string => {
      const v = process.env[name];
      if (v === undefined || v === '') throw new Error(`${name} is not set (see docs/live-validation-runbook.md)`);
      return v;
    };
    return {
      host: process.env.HARVESTER_TWS_HOST ?? '127.0.0.1',
      port: Number(need('HARVESTER_TWS_PORT')),
      clientId: Number(need('HARVESTER_TWS_CLIENT_ID')),
      account: need('HARVESTER_TWS_ACCOUNT'),
      symbol: process.env.HARVESTER_VALIDATION_SYMBOL ?? 'AAPL',
    };
  });
});
