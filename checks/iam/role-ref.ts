/** A role given by name (SageMakerExecutionRole) or ARN (arn:aws:iam::123:role/path/Name). */
export function roleNameOf(ref: string): string {
  if (!ref.startsWith('arn:')) return ref;
  const resource = ref.split(':').slice(5).join(':');
  return resource.startsWith('role/') ? (resource.split('/').pop() ?? ref) : ref;
}

/** Whether two role references (names or ARNs) name the same role. */
export function sameRole(a: string, b: string): boolean {
  return roleNameOf(a) === roleNameOf(b);
}
