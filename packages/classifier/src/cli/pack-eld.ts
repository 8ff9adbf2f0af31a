/**
 * Build step: writes ELD's n-gram database packed flat beside the compiled classifier (see PackedNgrams in eld.ts), so
 * a service loads a small JSON file instead of parsing ELD's 50,000-object module.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKED_FILE, packEld } from '../eld.js';

const out = join(__dirname, '..', PACKED_FILE);
writeFileSync(out, JSON.stringify(packEld()));
process.stdout.write(`wrote ${out}\n`);
