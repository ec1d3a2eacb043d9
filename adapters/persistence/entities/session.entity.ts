import { EntitySchema } from 'typeorm';

export interface SessionRow {
  sessionId: string;
  mode: string;
  strategy: string;
  learner: string;
  seed: number;
  config: string;
  status: string;
  startedAt: number | string;
  endedAt: number | string | null;
  wallStartedAt: string;
  summary: string | null;
}

export const sessionEntity = new EntitySchema<SessionRow>({
  name: 'session',
  tableName: 'hv_sessions',
  columns: {
    sessionId: { name: 'session_id', type: 'varchar', length: 64, primary: true },
    mode: { type: 'varchar', length: 16 },
    strategy: { type: 'varchar', length: 200 },
    learner: { type: 'varchar', length: 64 },
    seed: { type: 'bigint' },
    config: { type: 'text' },
    status: { type: 'varchar', length: 16 },
    startedAt: { name: 'started_at', type: 'bigint' },
    endedAt: { name: 'ended_at', type: 'bigint', nullable: true },
    wallStartedAt: { name: 'wall_started_at', type: 'varchar', length: 40 },
    summary: { type: 'text', nullable: true },
  },
});
