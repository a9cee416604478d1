/** src/service-names.ts is the one list of services: the SDK table covers exactly those. */
import { describe, expect, it } from 'vitest';
import { SERVICES } from '../../src/aws/services.js';
import { SERVICE_NAMES } from '../../src/service-names.js';

describe('the AWS services', () => {
  it('have an SDK package each, and the SDK table names no other', () => {
    expect(Object.keys(SERVICES).sort()).toEqual([...SERVICE_NAMES].sort());
  });
});
