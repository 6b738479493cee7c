import { pino } from 'pino';
import { LocalScheduler } from './local-scheduler';
import { describeSchedulerConformance } from './scheduler-conformance';

describeSchedulerConformance('LocalScheduler (one process)', async (sites, hooks) => ({
  scheduler: new LocalScheduler({ sites, hooks, logger: pino({ level: 'silent' }) }),
  cleanup: async () => {},
}));
