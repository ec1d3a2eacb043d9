import { z } from 'zod';

/** The `replay` feed's params (zod): one recording (or several), or a generated session, and the feed's budgets. */
export const replayParams = z
  .object({
    /**
     * A Harvester recording (.hrec), relative to the working directory, or several (one symbol each), played as one
     * stream merged by receive time.
     */
    recording: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Generate a session instead (cached under <dataDir>/recordings); the window is the config's session. */
    generate: z
      .object({
        symbol: z.string().min(1).default('HRVST'),
        /** Defaults to the config seed. */
        seed: z.number().int().nonnegative().optional(),
        /** Opening price, dollars. */
        startPrice: z.number().positive().default(32.5),
        tick: z.number().positive().default(0.01),
        intensity: z.number().positive().max(50).default(1),
        incidents: z.boolean().default(true),
        /**
         * `none` (the default when absent): no learnable signal. `planted`: a hidden quality per shelf episode,
         * seen only through the shelf's size (adapters/replay/generator/planted.ts). No default is written, so an
         * existing config resolves, and journals, exactly as before.
         */
        signal: z.enum(['none', 'planted', 'null']).optional(),
        /** Planted only: the observable–outcome link flipped (the poisoned regime). */
        invert: z.boolean().optional(),
        /** Planted only: the planted market's version (default the newest; 3 and 4 stay selectable). */
        plantedVersion: z.union([z.literal(3), z.literal(4), z.literal(5)]).optional(),
      })
      .strict()
      .optional(),
    lineBudget: z.number().int().positive().default(100),
    depthBudget: z.number().int().positive().default(3),
    recvLatencyUs: z.number().int().nonnegative().default(0),
    /**
     * T_stale in ms (card FEED-23, docs/conformance-cards.md#feed-23); 0 = off, since the kill switch makes any `feed.stale` SAFE_MODE and
     * recorded tapes go quiet.
     */
    staleMs: z.number().int().nonnegative().default(0),
  })
  .strict()
  .refine((p) => (p.recording === undefined) !== (p.generate === undefined), {
    message: 'give exactly one of recording or generate',
    path: ['recording'],
  });

export type ReplayParams = z.output<typeof replayParams>;
