/**
 * What a training job's container prints to CloudWatch Logs: the platform's startup lines, the
 * algorithm's own (XGBoost's per-round metrics for the built-in XGBoost image, a script-mode
 * toolkit's otherwise) and the closing billing lines. Deterministic, so tests can look for them.
 */

export interface TrainingRun {
  jobName: string;
  image: string;
  instanceType: string;
  hyperParameters: Record<string, string>;
  /** Channel name -> objects downloaded (key, size). */
  channels: Record<string, { key: string; size: number }[]>;
}

export interface TrainingOutput {
  lines: string[];
  metrics: { name: string; value: number }[];
}

const stamp = (at: Date) => `${at.toISOString().slice(0, 10)}:${at.toISOString().slice(11, 19)}`;

export function isXgboost(image: string): boolean {
  return /xgboost/i.test(image);
}

/** The lines of the training phase, and the final metrics the job reports. */
export function trainingLines(run: TrainingRun, at: Date): TrainingOutput {
  const t = stamp(at);
  const rows = Object.values(run.channels)
    .flat()
    .reduce((n, o) => n + Math.max(1, Math.round(o.size / 24)), 0);
  const channelNames = Object.keys(run.channels);
  if (isXgboost(run.image)) {
    const rounds = Math.min(Math.max(Number(run.hyperParameters.num_round ?? 10) || 10, 1), 50);
    const objective = run.hyperParameters.objective ?? 'reg:squarederror';
    const metric = objective.startsWith('binary') ? 'logloss' : 'rmse';
    const lines = [
      `[${t}:INFO] Imported framework sagemaker_xgboost_container.training`,
      `[${t}:INFO] No GPUs detected (normal if no gpus installed)`,
      `[${t}:INFO] Running XGBoost Sagemaker in algorithm mode`,
      `[${t}:INFO] Determined 0 GPU(s) available on the instance.`,
      ...channelNames.map((c) => `[${t}:INFO] files path: /opt/ml/input/data/${c}`),
      `[${t}:INFO] Determined delimiter of CSV input is ','`,
      `[${t}:INFO] Single node training.`,
      `[${t}:INFO] Train matrix has ${rows} rows and 4 columns`,
    ];
    let value = 0.5;
    for (let round = 0; round < rounds; round++) {
      value = Number((value * 0.82).toFixed(5));
      const evals = channelNames.map((c) => `${c}-${metric}:${value.toFixed(5)}`).join('\t');
      lines.push(`[${round}]#011${evals.replace(/\t/g, '#011')}`);
    }
    return {
      lines,
      metrics: channelNames.map((c) => ({ name: `${c}:${metric}`, value })),
    };
  }
  const lines = [
    `${t} sagemaker-training-toolkit INFO     Imported framework sagemaker_pytorch_container.training`,
    `${t} sagemaker-training-toolkit INFO     No GPUs detected (normal if no gpus installed)`,
    `${t} sagemaker-training-toolkit INFO     Invoking user script`,
    `Training Env:`,
    JSON.stringify(
      {
        channel_input_dirs: Object.fromEntries(
          channelNames.map((c) => [c, `/opt/ml/input/data/${c}`]),
        ),
        current_host: 'algo-1',
        hosts: ['algo-1'],
        hyperparameters: run.hyperParameters,
        job_name: run.jobName,
        model_dir: '/opt/ml/model',
        output_data_dir: '/opt/ml/output/data',
        resource_config: { current_host: 'algo-1', current_instance_type: run.instanceType },
      },
      null,
      4,
    ),
  ];
  const epochs = Math.min(Math.max(Number(run.hyperParameters.epochs ?? 3) || 3, 1), 20);
  let loss = 0.9;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    loss = Number((loss * 0.7).toFixed(4));
    lines.push(`Epoch ${epoch}/${epochs} - loss: ${loss.toFixed(4)} - rows: ${rows}`);
  }
  lines.push(`${t} sagemaker-training-toolkit INFO     Reporting training SUCCESS`);
  return { lines, metrics: [{ name: 'train:loss', value: loss }] };
}

/** The platform's lines before the algorithm starts. */
export function startupLines(run: TrainingRun, at: Date): string[] {
  const t = at.toISOString().replace('T', ' ').slice(0, 23);
  return [
    `[${t} ip-10-0-${(run.jobName.length * 7) % 250}-${(run.jobName.length * 13) % 250}.ec2.internal:7 INFO utils.py:28] RULE_JOB_STOP_SIGNAL_FILENAME: None`,
    `[${t} ip-10-0-${(run.jobName.length * 7) % 250}-${(run.jobName.length * 13) % 250}.ec2.internal:7 INFO profiler_config_parser.py:111] User has disabled profiler.`,
  ];
}

/** What the job prints when it ends, as the SageMaker Python SDK shows it. */
export function billingLines(seconds: number): string[] {
  return [`Training seconds: ${seconds}`, `Billable seconds: ${seconds}`];
}
