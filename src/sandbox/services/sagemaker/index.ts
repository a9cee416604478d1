/**
 * Amazon SageMaker: notebook instances and training jobs, after moto's layout: the resources and
 * their transitions in models.ts, notebooks.ts and training-runner.ts, named errors in errors.ts,
 * and thin handlers here. SageMaker assumes the execution role: creation refuses a role that does
 * not exist or does not trust sagemaker.amazonaws.com (execution-role.ts).
 */
import { compareText } from '../../../compare-text.js';
import { has, lookup } from '../../dict.js';
import type { RequestContext, SandboxCore, ServiceHandler } from '../../types.js';
import { constraint } from '../errors.js';
import { type Input, optList, optNumber, optObject, optString } from '../input.js';
import { offsetPage, pageSize, plainOffsetTokens } from '../paginate.js';
import {
  duplicateNotebook,
  duplicateTrainingJob,
  invalidMember,
  RESOURCE_NAME,
  trainingJobNotFound,
  validation,
} from './errors.js';
import { acceptRole } from './execution-role.js';
import {
  inTimeWindow,
  sagemakerArn,
  sagemakerState,
  SERVICE_PRINCIPAL,
  SESSION_NAME,
  STATUS_MESSAGES,
  type Notebook,
  type TrainingJob,
} from './models.js';
import { notebooks, notebookSummary, notebookView } from './notebooks.js';
import { trainingJobSummary, trainingJobView } from './training-jobs.js';
import { trainingRunner } from './training-runner.js';
import { forgetRecords } from '../forget-records.js';

type Kind = 'notebook-instance' | 'training-job';

/** A List operation's page: `MaxResults` 1..100 (10 by default) from an offset `NextToken`. */
function page<T>(items: T[], input: Input): { slice: T[]; next?: string } {
  const size = pageSize(optNumber(input, 'MaxResults'), 'maxResults', {
    default: 10,
    max: 100,
    code: 'ValidationException',
  });
  const { items: slice, next } = offsetPage(
    items,
    optString(input, 'NextToken'),
    size,
    plainOffsetTokens,
  );
  return { slice, next };
}

export function sagemakerService(core: SandboxCore): ServiceHandler {
  const state = sagemakerState(core);
  const notebook = notebooks(core);
  const runner = trainingRunner(core);

  /** The opening every single-resource call shares: the name, authorized as `sagemaker:<Op>`. */
  const authorizedName = async (ctx: RequestContext, input: Input, kind: Kind) => {
    const member = kind === 'notebook-instance' ? 'NotebookInstanceName' : 'TrainingJobName';
    const name = optString(input, member) ?? '';
    await core.authorize(ctx, `sagemaker:${ctx.operation}`, sagemakerArn(ctx, kind, name));
    return name;
  };
  const requireJob = (name: string): TrainingJob => {
    const job = lookup(state().jobs, name);
    if (!job) throw trainingJobNotFound();
    return job;
  };

  return {
    name: 'sagemaker',
    // Jobs in progress when the sandbox last stopped pick up where they were.
    resume: () => {
      for (const job of Object.values(state().jobs)) {
        if (job.status === 'InProgress' || job.status === 'Stopping') runner.start(job);
      }
    },
    // AWS has no DeleteTrainingJob; labwright's reset forgets the jobs of an attempt.
    forget: (arns) => forgetRecords(state().jobs, arns, (job) => runner.cancel(job)),
    describeEvent: (_operation, input) => {
      const name = optString(input, 'NotebookInstanceName') ?? optString(input, 'TrainingJobName');
      return name ? { requestParameters: input } : {};
    },
    operations: {
      async CreateNotebookInstance(input, ctx) {
        const name = optString(input, 'NotebookInstanceName') ?? '';
        if (!RESOURCE_NAME.test(name)) {
          throw invalidMember(
            'notebookInstanceName',
            name,
            constraint.pattern('^[a-zA-Z0-9](-*[a-zA-Z0-9])*'),
          );
        }
        const arn = sagemakerArn(ctx, 'notebook-instance', name);
        await core.authorize(ctx, 'sagemaker:CreateNotebookInstance', arn);
        const instanceType = optString(input, 'InstanceType') ?? '';
        if (!/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceType)) {
          throw invalidMember('instanceType', instanceType, constraint.enum());
        }
        const existing = lookup(state().notebooks, name);
        if (existing && notebook.settle(existing)) throw duplicateNotebook(arn);
        const roleArn = optString(input, 'RoleArn') ?? '';
        await acceptRole(core, ctx, roleArn, 'notebook');
        const now = new Date(core.now()).toISOString();
        const created: Notebook = {
          name,
          arn,
          status: 'Pending',
          instanceType,
          roleArn,
          creationTime: now,
          lastModifiedTime: now,
          directInternetAccess: optString(input, 'DirectInternetAccess') ?? 'Enabled',
          volumeSizeInGB: optNumber(input, 'VolumeSizeInGB') ?? 5,
          rootAccess: optString(input, 'RootAccess') ?? 'Enabled',
          platformIdentifier: optString(input, 'PlatformIdentifier') ?? 'notebook-al2-v3',
          subnetId: optString(input, 'SubnetId'),
          securityGroups: optList<string>(input, 'SecurityGroupIds'),
          kmsKeyId: optString(input, 'KmsKeyId'),
          lifecycleConfigName: optString(input, 'LifecycleConfigName'),
          acceleratorTypes: optList<string>(input, 'AcceleratorTypes'),
          defaultCodeRepository: optString(input, 'DefaultCodeRepository'),
          additionalCodeRepositories: optList<string>(input, 'AdditionalCodeRepositories'),
          minimumImdsVersion:
            optString(
              optObject(input, 'InstanceMetadataServiceConfiguration') ?? {},
              'MinimumInstanceMetadataServiceVersion',
            ) ?? '2',
        };
        notebook.add(created);
        notebook.transition(created, 'Pending', 'InService');
        return { NotebookInstanceArn: arn };
      },

      async DescribeNotebookInstance(input, ctx) {
        const name = await authorizedName(ctx, input, 'notebook-instance');
        return notebookView(notebook.require(name));
      },

      async ListNotebookInstances(input, ctx) {
        await core.authorize(ctx, 'sagemaker:ListNotebookInstances', '*');
        const contains = optString(input, 'NameContains');
        const status = optString(input, 'StatusEquals');
        const sortBy = optString(input, 'SortBy') ?? 'Name';
        const descending = optString(input, 'SortOrder') === 'Descending';
        const found = notebook
          .all()
          .filter((n) => !contains || n.name.toLowerCase().includes(contains.toLowerCase()))
          .filter((n) => !status || n.status === status)
          .filter((n) => inTimeWindow(n.creationTime, input, 'CreationTime'))
          .filter((n) => inTimeWindow(n.lastModifiedTime, input, 'LastModifiedTime'))
          .sort((a, b) =>
            sortBy === 'CreationTime'
              ? compareText(a.creationTime, b.creationTime)
              : sortBy === 'Status'
                ? compareText(a.status, b.status)
                : compareText(a.name, b.name),
          );
        if (descending) found.reverse();
        const { slice, next } = page(found, input);
        return { NotebookInstances: slice.map(notebookSummary), NextToken: next };
      },

      async StopNotebookInstance(input, ctx) {
        const found = notebook.require(await authorizedName(ctx, input, 'notebook-instance'));
        notebook.requireStatus(found, ['InService'], 'Stopping');
        notebook.transition(found, 'Stopping', 'Stopped');
        return {};
      },

      async StartNotebookInstance(input, ctx) {
        const found = notebook.require(await authorizedName(ctx, input, 'notebook-instance'));
        notebook.requireStatus(found, ['Stopped', 'Failed'], 'Pending');
        // Starting assumes the role again: a role changed or deleted since creation fails here.
        try {
          await core.assumeRoleAsService(SERVICE_PRINCIPAL, found.roleArn, SESSION_NAME);
        } catch {
          found.status = 'Failed';
          found.failureReason = `SageMaker was unable to assume the role '${found.roleArn}'`;
          found.lastModifiedTime = new Date(core.now()).toISOString();
          core.store.changed();
          return {};
        }
        delete found.failureReason;
        notebook.transition(found, 'Pending', 'InService');
        return {};
      },

      async UpdateNotebookInstance(input, ctx) {
        const found = notebook.require(await authorizedName(ctx, input, 'notebook-instance'));
        notebook.requireStatus(found, ['Stopped', 'Failed'], 'Updating');
        const roleArn = optString(input, 'RoleArn');
        if (roleArn !== undefined) {
          await acceptRole(core, ctx, roleArn, 'notebook');
          found.roleArn = roleArn;
        }
        found.instanceType = optString(input, 'InstanceType') ?? found.instanceType;
        found.volumeSizeInGB = optNumber(input, 'VolumeSizeInGB') ?? found.volumeSizeInGB;
        found.rootAccess = optString(input, 'RootAccess') ?? found.rootAccess;
        if (input.DisassociateLifecycleConfig) delete found.lifecycleConfigName;
        else
          found.lifecycleConfigName =
            optString(input, 'LifecycleConfigName') ?? found.lifecycleConfigName;
        notebook.transition(found, 'Updating', 'Stopped');
        return {};
      },

      async DeleteNotebookInstance(input, ctx) {
        const found = notebook.require(await authorizedName(ctx, input, 'notebook-instance'));
        notebook.requireStatus(found, ['Stopped', 'Failed'], 'Deleting');
        notebook.transition(found, 'Deleting', null);
        return {};
      },

      async CreateTrainingJob(input, ctx) {
        const name = optString(input, 'TrainingJobName') ?? '';
        if (!RESOURCE_NAME.test(name)) {
          throw invalidMember(
            'trainingJobName',
            name,
            constraint.pattern('^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}'),
          );
        }
        const arn = sagemakerArn(ctx, 'training-job', name);
        await core.authorize(ctx, 'sagemaker:CreateTrainingJob', arn);
        for (const member of [
          'AlgorithmSpecification',
          'OutputDataConfig',
          'ResourceConfig',
          'StoppingCondition',
        ]) {
          if (!optObject(input, member)) {
            throw invalidMember(
              `${member.charAt(0).toLowerCase()}${member.slice(1)}`,
              null,
              constraint.notNull,
            );
          }
        }
        const algorithm = optObject(input, 'AlgorithmSpecification') ?? {};
        if (!optString(algorithm, 'TrainingImage') && !optString(algorithm, 'AlgorithmName')) {
          throw validation(
            'Either TrainingImage or AlgorithmName must be specified in AlgorithmSpecification.',
          );
        }
        const output = optString(optObject(input, 'OutputDataConfig') ?? {}, 'S3OutputPath') ?? '';
        if (!/^(https|s3):\/\//.test(output)) {
          throw invalidMember(
            'outputDataConfig.s3OutputPath',
            output,
            constraint.pattern('^(https|s3)://([^/]+)/?(.*)$'),
          );
        }
        if (has(state().jobs, name)) throw duplicateTrainingJob(arn);
        await acceptRole(core, ctx, optString(input, 'RoleArn') ?? '', 'job');
        const now = new Date(core.now()).toISOString();
        const job: TrainingJob = {
          name,
          arn,
          status: 'InProgress',
          secondaryStatus: 'Starting',
          stage: 'Starting',
          request: input,
          creationTime: now,
          lastModifiedTime: now,
          transitions: [
            { Status: 'Starting', StartTime: now, StatusMessage: STATUS_MESSAGES.Starting ?? '' },
          ],
        };
        state().jobs[name] = job;
        core.store.changed();
        runner.start(job);
        return { TrainingJobArn: arn };
      },

      async DescribeTrainingJob(input, ctx) {
        const name = await authorizedName(ctx, input, 'training-job');
        return trainingJobView(requireJob(name), core.now());
      },

      async ListTrainingJobs(input, ctx) {
        await core.authorize(ctx, 'sagemaker:ListTrainingJobs', '*');
        const contains = optString(input, 'NameContains');
        const status = optString(input, 'StatusEquals');
        const sortBy = optString(input, 'SortBy') ?? 'CreationTime';
        const ascending = optString(input, 'SortOrder') === 'Ascending';
        const jobs = Object.values(state().jobs)
          .filter((j) => !contains || j.name.toLowerCase().includes(contains.toLowerCase()))
          .filter((j) => !status || j.status === status)
          .filter((j) => inTimeWindow(j.creationTime, input, 'CreationTime'))
          .filter((j) => inTimeWindow(j.lastModifiedTime, input, 'LastModifiedTime'))
          .sort((a, b) =>
            sortBy === 'Name'
              ? compareText(a.name, b.name)
              : sortBy === 'Status'
                ? compareText(a.status, b.status)
                : compareText(a.creationTime, b.creationTime),
          );
        if (!ascending) jobs.reverse();
        const { slice, next } = page(jobs, input);
        return { TrainingJobSummaries: slice.map(trainingJobSummary), NextToken: next };
      },

      async StopTrainingJob(input, ctx) {
        const job = requireJob(await authorizedName(ctx, input, 'training-job'));
        if (job.status !== 'InProgress') {
          throw validation(
            `The request was rejected because the training job is in status ${job.status}.`,
          );
        }
        runner.stop(job);
        return {};
      },
    },
  };
}
