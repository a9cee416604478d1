import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script, plain JavaScript
import { operationTable as extract } from '../../scripts/extract-operations.mjs';
import { operationTable } from '../../src/aws/operation-table.js';

describe('src/aws/operations.json', () => {
  it('equals what the SDK packages say (run node scripts/extract-operations.mjs to refresh)', () => {
    expect(operationTable).toEqual((extract as () => unknown)());
  });
});
