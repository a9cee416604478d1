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
  if (isLinearLearner(run.image)) return linearLearnerLines(run, at, rows);
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

export function isLinearLearner(image: string): boolean {
  return /linear-learner/i.test(image);
}

/** The built-in Linear Learner's lines: configuration, per-epoch quality metrics, scores. */
function linearLearnerLines(run: TrainingRun, at: Date, rows: number): TrainingOutput {
  const d = at.toISOString();
  const t = `${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(0, 4)} ${d.slice(11, 19)}`;
  const info = (text: string) => `[${t} INFO 140241236137792] ${text}`;
  const predictor = run.hyperParameters.predictor_type ?? 'binary_classifier';
  const objective =
    predictor === 'regressor'
      ? 'square_loss_objective'
      : predictor === 'multiclass_classifier'
        ? 'multiclass_cross_entropy_objective'
        : 'binary_classification_cross_entropy_objective';
  const epochs = Math.min(Math.max(Number(run.hyperParameters.epochs ?? 15) || 15, 1), 15);
  const hyper = JSON.stringify(run.hyperParameters).replace(/"/g, "'");
  const lines = [
    'Docker entrypoint called with argument(s): train',
    'Running default environment configuration script',
    info(
      "Reading default configuration from /opt/amazon/lib/python3.8/site-packages/algorithm/resources/default-input.json: {'mini_batch_size': '1000', 'epochs': '15', 'use_bias': 'true', 'optimizer': 'auto', 'loss': 'auto'}",
    ),
    info(
      `Merging with provided configuration from /opt/ml/input/config/hyperparameters.json: ${hyper}`,
    ),
    info('Using default worker.'),
    info('Checkpoint loading and saving are disabled.'),
    info('Create Store: local'),
    info(`nvidia-smi: took 0.031 seconds to run.`),
    info(`Number of GPUs being used: 0`),
    info(`The default executor is <PicklableExecutor on cpu(0)>.`),
    info(`${rows} rows in the training data`),
  ];
  let loss = 0.69;
  for (let epoch = 0; epoch < epochs; epoch++) {
    loss = Number((loss * 0.8).toFixed(6));
    lines.push(
      info(`#quality_metric: host=algo-1, epoch=${epoch}, train ${objective} <loss>=(${loss})`),
    );
  }
  const accuracy = Number(Math.min(0.99, 0.7 + epochs * 0.02).toFixed(4));
  lines.push(info(`#train_score (algo-1) : ('${objective}', ${loss})`));
  if (predictor !== 'regressor') {
    lines.push(info(`#train_score (algo-1) : ('binary_classification_accuracy', ${accuracy})`));
    lines.push(
      info(
        `#quality_metric: host=algo-1, train binary_classification_accuracy <score>=${accuracy}`,
      ),
    );
  }
  lines.push(
    info(
      'Best model found for hyperparameters: {"optimizer": "adam", "learning_rate": 0.005, "wd": 0.0001, "l1": 0.0, "lr_scheduler_step": 10, "lr_scheduler_factor": 0.99, "lr_scheduler_minimum_lr": 0.0001}',
    ),
  );
  lines.push(info('Saved checkpoint to "/tmp/tmpz2qp7x1a/mx-mod-0000.params"'));
  lines.push(info('Test data is not provided.'));
  const metrics = [{ name: 'train:objective_loss', value: loss }];
  if (predictor !== 'regressor')
    metrics.push({ name: 'train:binary_classification_accuracy', value: accuracy });
  return { lines, metrics };
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
