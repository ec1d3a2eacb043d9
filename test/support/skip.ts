/**
 * Skips with the reason in the title of every test it skips, so the reporter's pending line says why:
 * `- the token file is 0600 … (skipped: POSIX permissions only)`. Called in a test, it skips that test; in a hook,
 * every test of the hook's suite (mocha marks them all pending). Every pending test of `npm test` goes through here
 * or is a conformance known gap, whose title carries the gap (test/unit/pending-tests-say-why.spec.ts checks that).
 */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  const note = ` (skipped: ${reason})`;
  // Mocha's typings give Runnable no `type`; at run time a test's is 'test', a hook's 'hook'.
  const runnable = ctx.test as (Mocha.Runnable & { type?: string }) | undefined;
  if (runnable !== undefined && runnable.type === 'test') {
    if (!runnable.title.endsWith(note)) runnable.title += note;
  } else if (runnable?.parent !== undefined) {
    for (const test of allTests(runnable.parent)) if (!test.title.endsWith(note)) test.title += note;
  }
  return ctx.skip() as never;
}

function allTests(suite: Mocha.Suite): Mocha.Test[] {
  return [...suite.tests, ...suite.suites.flatMap(allTests)];
}
