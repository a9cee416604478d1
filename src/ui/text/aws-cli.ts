/**
 * The aws CLI form of an SDK call, for actions that give no `cli:` of their own:
 * `s3:DeleteBucketPolicy` with `{ Bucket: X }` is `aws s3api delete-bucket-policy --bucket X`.
 * Undefined when the call has no faithful one-line form, so nothing wrong is ever shown.
 */

/** The CLI's name for a service, where it differs from the SDK's. */
const CLI_SERVICE: Readonly<Record<string, string>> = {
  s3: 's3api',
  cloudwatchlogs: 'logs',
  'cloudwatch-logs': 'logs',
};

/** PascalCase to kebab-case, as the CLI names operations and options: DBInstance → db-instance. */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

export function awsCliCommand(
  aws: string,
  input: Readonly<Record<string, unknown>>,
): string | undefined {
  const [service, operation] = aws.split(':');
  if (!service || !operation) return undefined;
  const words = ['aws', CLI_SERVICE[service] ?? service, kebab(operation)];
  for (const [name, value] of Object.entries(input)) {
    const option = `--${kebab(name)}`;
    if (value === undefined || value === null) continue;
    if (typeof value === 'boolean') {
      words.push(value ? option : `--no-${kebab(name)}`);
    } else if (typeof value === 'string' || typeof value === 'number') {
      words.push(option, shellQuote(String(value)));
    } else if (isFileRef(value)) {
      // A blob (an object's body) takes a path; a document takes file://.
      if (name === 'Body') words.push(option, shellQuote(value.file));
      else words.push(option, `file://${shellQuote(value.file)}`);
    } else if (typeof value === 'object' && !containsFileRef(value)) {
      words.push(option, shellQuote(JSON.stringify(value)));
    } else {
      return undefined;
    }
  }
  return words.join(' ');
}

function isFileRef(value: unknown): value is { file: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { file?: unknown }).file === 'string'
  );
}

function containsFileRef(value: unknown): boolean {
  if (isFileRef(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(containsFileRef);
}

/** Quotes a value for bash only when it needs it, so the common case stays easy to read. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}
