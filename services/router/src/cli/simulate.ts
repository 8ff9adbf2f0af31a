/**
 * Replays a mention stream through the real routing engine in simulated time (README, "Simulating a routing policy"):
 *   npm run -s simulate -- --scenario <dir> [--out <dir>]
 *   npm run -s simulate -- --experts <experts.json> --mentions <mentions.jsonl> [--policy <policy.json>]
 *                          [--taxonomy <taxonomy.json>] [--topic-model <model.json>] [--sentiment-model <model.json>]
 *                          [--guidelines <guidelines.json>]
 * A scenario directory holds experts.json, mentions.jsonl and optionally policy.json, taxonomy.json, topic-model.json
 * and sentiment-model.json; a file flag given beside it wins. With no arguments it runs the example set in
 * services/router/examples. The last line of stdout is one JSON object; --out writes one JSON line per mention to
 * <dir>/mentions.jsonl.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readScenario, resolveScenarioDir, scenarioFiles } from '../sim/scenario.js';
import { simulate } from '../sim/simulate.js';

const ROUTER = join(__dirname, '..', '..');
const EXAMPLES = join(ROUTER, 'examples');

function main(): void {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      out: { type: 'string' },
      experts: { type: 'string' },
      mentions: { type: 'string' },
      policy: { type: 'string' },
      taxonomy: { type: 'string' },
      'topic-model': { type: 'string' },
      'sentiment-model': { type: 'string' },
      'brand-models': { type: 'string' },
      guidelines: { type: 'string' },
    },
  });
  const none = !values.scenario && !values.experts && !values.mentions;
  if (!values.scenario && !none && (!values.experts || !values.mentions)) throw new Error('give --scenario <dir>, or both --experts and --mentions, or neither to run the example set');
  const dir = values.scenario ? resolveScenarioDir(values.scenario, ROUTER) : none ? EXAMPLES : undefined;
  const files = scenarioFiles(dir, {
    experts: values.experts,
    mentions: values.mentions,
    policy: values.policy,
    taxonomy: values.taxonomy,
    topicModel: values['topic-model'],
    sentimentModel: values['sentiment-model'],
    brandModels: values['brand-models'],
    guidelines: values.guidelines,
  });

  const started = Date.now();
  const scenario = readScenario(files);
  process.stderr.write(`simulate: ${scenario.mentions.length} mentions, ${scenario.experts.length} experts, policy ${scenario.policy.version}${dir ? ` (${dir})` : ''}\n`);
  const { result, lines } = simulate(scenario);
  process.stderr.write(`simulate: done in ${Date.now() - started} ms\n`);
  if (values.out) {
    mkdirSync(values.out, { recursive: true });
    const file = join(values.out, 'mentions.jsonl');
    writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    process.stderr.write(`simulate: wrote ${lines.length} lines to ${file}\n`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  main();
} catch (e) {
  process.stderr.write(`simulate: ${(e as Error).message}\n`);
  process.exit(2);
}
