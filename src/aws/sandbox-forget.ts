/**
 * Asks labwright's sandbox to forget an attempt's resources that AWS cannot delete (training
 * jobs) and the CloudTrail events that name them: `POST <endpoint>/_labwright/forget`
 * (src/sandbox/forget.ts). Only the sandbox answers it; labwright talks to the sandbox over
 * HTTP alone, whether this process or another terminal runs it.
 */

export interface Forgotten {
  /** ARNs of the resources forgotten. */
  forgotten: string[];
  /** How many CloudTrail events were forgotten. */
  events: number;
}

export async function forgetOnSandbox(
  endpoint: string,
  resources: readonly string[],
  signal?: AbortSignal,
): Promise<Forgotten> {
  const response = await fetch(`${endpoint}/_labwright/forget`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resources }),
    ...(signal ? { signal } : {}),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<Forgotten> & {
    __type?: string;
    message?: string;
  };
  if (!response.ok || !Array.isArray(body.forgotten) || typeof body.events !== 'number') {
    throw new Error(
      `the sandbox did not forget them (${response.status}${body.__type ? ` ${body.__type}: ${body.message}` : ''})`,
    );
  }
  return { forgotten: body.forgotten, events: body.events };
}
