/** Training jobs: DescribeTrainingJob's view and ListTrainingJobs' summary of a job. */
import { optObject } from '../input.js';
import { billableSeconds, type TrainingJob } from './models.js';

/** DescribeTrainingJob's answer, as of `now` (epoch ms, from core.now()). */
export function trainingJobView(job: TrainingJob, now: number) {
  const r = job.request;
  const seconds = job.trainingStartTime ? billableSeconds(job, now) : undefined;
  return {
    TrainingJobName: job.name,
    TrainingJobArn: job.arn,
    ModelArtifacts: { S3ModelArtifacts: job.modelArtifact ?? '' },
    TrainingJobStatus: job.status,
    SecondaryStatus: job.secondaryStatus,
    FailureReason: job.failureReason,
    HyperParameters: r.HyperParameters,
    AlgorithmSpecification: {
      TrainingInputMode: 'File',
      ...(optObject(r, 'AlgorithmSpecification') ?? {}),
    },
    RoleArn: r.RoleArn,
    InputDataConfig: r.InputDataConfig,
    OutputDataConfig: r.OutputDataConfig,
    ResourceConfig: r.ResourceConfig,
    VpcConfig: r.VpcConfig,
    StoppingCondition: r.StoppingCondition,
    CreationTime: new Date(job.creationTime),
    TrainingStartTime: job.trainingStartTime ? new Date(job.trainingStartTime) : undefined,
    TrainingEndTime: job.trainingEndTime ? new Date(job.trainingEndTime) : undefined,
    LastModifiedTime: new Date(job.lastModifiedTime),
    SecondaryStatusTransitions: job.transitions.map((t) => ({
      Status: t.Status,
      StartTime: new Date(t.StartTime),
      EndTime: t.EndTime ? new Date(t.EndTime) : undefined,
      StatusMessage: t.StatusMessage,
    })),
    FinalMetricDataList:
      job.status === 'Completed'
        ? (job.metrics ?? []).map((m) => ({
            MetricName: m.name,
            Value: m.value,
            Timestamp: new Date(m.at),
          }))
        : undefined,
    EnableNetworkIsolation: r.EnableNetworkIsolation ?? false,
    EnableInterContainerTrafficEncryption: r.EnableInterContainerTrafficEncryption ?? false,
    EnableManagedSpotTraining: r.EnableManagedSpotTraining ?? false,
    TrainingTimeInSeconds: job.trainingEndTime ? seconds : undefined,
    BillableTimeInSeconds: job.trainingEndTime && job.status !== 'Failed' ? seconds : undefined,
    Environment: r.Environment,
    ProfilingStatus: 'Disabled',
  };
}

export function trainingJobSummary(j: TrainingJob) {
  return {
    TrainingJobName: j.name,
    TrainingJobArn: j.arn,
    CreationTime: new Date(j.creationTime),
    TrainingEndTime: j.trainingEndTime ? new Date(j.trainingEndTime) : undefined,
    LastModifiedTime: new Date(j.lastModifiedTime),
    TrainingJobStatus: j.status,
    SecondaryStatus: j.secondaryStatus,
  };
}
