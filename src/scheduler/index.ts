/** The scheduler's entry point: `startScheduler({ client, clock })`. */
export { startScheduler, SCHEDULER_NAME, type SchedulerOptions, type SchedulerHandle } from './scheduler.ts';
