import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// The layers of docs/ARCHITECTURE.md, one way only:
//   cli.ts -> commands -> ui | grade | report -> engine -> checks -> aws -> lab
// checks and the sandbox share the pure IAM evaluator (src/iam); the sandbox imports nothing
// else of ours, and the leaves (src/*.ts but cli.ts) import nothing of ours. Each zone lists
// what its folder may not import: a layer above it, or one beside it.
const LEAVES = [
  './src/xdg.ts',
  './src/compare-text.ts',
  './src/package-root.ts',
  './src/service-names.ts',
  './src/log-filter-pattern.ts',
  './src/s3-iam-actions.ts',
];
const COMMANDS = ['./src/cli.ts', './src/commands'];
const PRESENTERS = [...COMMANDS, './src/ui', './src/grade', './src/report'];
const layer = (target, from, message) => ({ target, from, message });
const layerZones = [
  layer('./src/commands', ['./src/cli.ts'], 'commands never import the CLI'),
  layer(
    './src/ui',
    [...COMMANDS, './src/grade', './src/report', './src/sandbox'],
    'ui presents what the engine computed',
  ),
  layer(
    './src/handin',
    [...COMMANDS, './src/ui', './src/grade', './src/report'],
    'hand-ins are packed and read beneath the commands, the screens and grading',
  ),
  layer(
    './src/grade',
    [...COMMANDS, './src/ui', './src/report', './src/sandbox'],
    'grade presents what the engine computed',
  ),
  layer(
    './src/report',
    [...COMMANDS, './src/ui', './src/grade', './src/sandbox'],
    'report renders a LabReport',
  ),
  layer(
    './src/engine',
    [...PRESENTERS, './src/sandbox'],
    'the engine knows nothing of commands, screens or reports',
  ),
  layer(
    './checks',
    [...PRESENTERS, './src/engine', './src/sandbox'],
    'checks are judged by the engine, never the reverse',
  ),
  layer(
    './src/aws',
    [...PRESENTERS, './src/engine', './checks', './src/sandbox'],
    'aws knows targets and clients, not checks or the engine',
  ),
  layer(
    './src/lab',
    [...PRESENTERS, './src/engine', './checks', './src/aws', './src/iam', './src/sandbox'],
    'the lab format depends on nothing of ours: the loader is handed what it must know',
  ),
  layer(
    './src/iam',
    [...PRESENTERS, './src/engine', './checks', './src/aws', './src/lab', './src/sandbox'],
    'the IAM evaluator is pure',
  ),
  layer(
    './src/sandbox',
    [...PRESENTERS, './src/engine', './checks', './src/aws', './src/lab'],
    'the sandbox is a server any AWS client can use: labwright reaches it only over HTTP',
  ),
  ...LEAVES.map((leaf) =>
    layer(
      leaf,
      [
        ...PRESENTERS,
        './src/engine',
        './checks',
        './src/aws',
        './src/lab',
        './src/iam',
        './src/sandbox',
      ],
      'a leaf imports nothing of ours',
    ),
  ),
];

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'coverage', 'bench/results'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}', 'checks/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Our imports name the compiled file (`./x.js`) of a TypeScript source (`./x.ts`).
      'import-x/resolver-next': [
        importX.createNodeResolver({
          extensions: ['.ts', '.tsx', '.js', '.json'],
          extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
        }),
      ],
    },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layerZones }] },
  },
);
