/**
 * An SDK v3 output as the aws CLI shows it, so that a lab's `aws.call` query reads what
 * `aws ... --query` reads:
 * - IAM policy documents (botocore's policyDocumentType members) URL-decoded and parsed, as
 *   botocore's json_decode_policies does: `Role.AssumeRolePolicyDocument.Statement[0]` works;
 * - timestamps as ISO 8601 in UTC, as the CLI prints them with cli_timestamp_format iso8601
 *   (the default of CLI v2): `2026-11-30T02:36:10+00:00`;
 * - blobs in base64, as the CLI prints them; a streaming body (GetObject's Body), which the CLI
 *   writes to a file, as its text;
 * - no SDK metadata.
 * One difference, on purpose: policy documents other services return as JSON text (S3's
 * GetBucketPolicy, KMS's GetKeyPolicy `Policy`) are parsed too, so a query can reach into them.
 */

/** botocore's policyDocumentType members of IAM's output shapes (Role, PolicyVersion, ...). */
const IAM_POLICY_MEMBERS = new Set(['AssumeRolePolicyDocument', 'PolicyDocument', 'Document']);

/** Operations whose `Policy` member is a policy document as JSON text. */
const JSON_POLICY_OPERATIONS = new Set(['s3:GetBucketPolicy', 'kms:GetKeyPolicy']);

export async function cliOutput(
  service: string,
  operation: string,
  output: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { $metadata: _metadata, ...rest } = output;
  const document: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(rest)) document[name] = await readStream(value);
  const shown = plain(document, service === 'iam') as Record<string, unknown>;
  if (JSON_POLICY_OPERATIONS.has(`${service}:${operation}`) && typeof shown.Policy === 'string') {
    shown.Policy = parsedOr(shown.Policy);
  }
  return shown;
}

interface SdkStream {
  transformToString(encoding?: string): Promise<string>;
}

function isSdkStream(value: unknown): value is SdkStream {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as Partial<SdkStream>).transformToString === 'function'
  );
}

/** A streaming member (the SDK mixes transformToString into it) read to its text. */
async function readStream(value: unknown): Promise<unknown> {
  return isSdkStream(value) ? value.transformToString('utf8') : value;
}

/** What Python's datetime.isoformat() prints for a UTC time, which is what the CLI prints. */
export function cliTimestamp(date: Date): string {
  const iso = date.toISOString();
  const ms = date.getUTCMilliseconds();
  const seconds = iso.slice(0, 19);
  return ms === 0 ? `${seconds}+00:00` : `${seconds}.${String(ms * 1000).padStart(6, '0')}+00:00`;
}

function plain(value: unknown, iam: boolean): unknown {
  if (value instanceof Date) return cliTimestamp(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((item) => plain(item, iam));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(value)) {
      out[name] =
        iam && IAM_POLICY_MEMBERS.has(name) && typeof member === 'string'
          ? parsedOr(safeDecode(member))
          : plain(member, iam);
    }
    return out;
  }
  return value;
}

/** IAM returns policy documents URL-encoded; a document that is not stays as it is. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The parsed JSON, or the text itself when it is not JSON (as botocore leaves it). */
function parsedOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
