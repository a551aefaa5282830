import { jobs } from '@identities/core/infra';
import { functionArgs } from './functions.ts';

/** Every scheduled job of the route table: its own function, invoked by an EventBridge schedule. */
export const scheduledJobs = jobs.map((job) => {
  const fn = new sst.aws.Function(
    job.id,
    functionArgs({ ...job, description: `${job.schedule}: ${job.id}`, streaming: false, environment: {} }),
  );
  const schedule = new sst.aws.Cron(`${job.id}Schedule`, { schedule: job.schedule, function: fn.arn });
  return { job, fn, schedule };
});
