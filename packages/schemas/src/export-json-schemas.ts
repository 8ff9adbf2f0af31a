/**
 * Writes one JSON Schema per boundary type into packages/schemas/json/, for integrators who do not use TypeScript.
 * `npm run schemas:export` regenerates them; a test fails when the committed files drift from the zod schemas.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJsonSchemas } from './json-schemas.js';

const outDir = join(__dirname, '..', 'json');
mkdirSync(outDir, { recursive: true });
for (const [file, text] of Object.entries(renderJsonSchemas())) {
  writeFileSync(join(outDir, file), text);
}
console.log(`wrote ${Object.keys(renderJsonSchemas()).length} JSON Schemas to ${outDir}`);
