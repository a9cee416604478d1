// Writes labs/lab.schema.json from the zod schema. test/lab/json-schema.test.ts fails when it is stale.
import { writeFileSync } from 'node:fs';
import { labJsonSchema } from '../src/engine/lab-json-schema.js';

const target = new URL('../labs/lab.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(labJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
