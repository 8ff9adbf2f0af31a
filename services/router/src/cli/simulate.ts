/**
 * Replays a mention stream through the real routing engine in simulated time (README, "Simulating a routing policy"):
 *   npm run -s simulate -- --experts <experts.json> --mentions <mentions.jsonl> [--policy <policy.json>]
 *                          [--taxonomy <taxonomy.json>] [--topic-model <model.json>] [--sentiment-model <model.json>]
 * With no arguments it runs the example set in services/router/examples. The last line of stdout is one JSON object.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel } from '@chorus/classifier';
import { readExperts, readMentions, readPolicy } from '../sim/inputs.js';
import { runSimulation } from '../sim/simulate.js';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

function main(): void {
  const { values } = parseArgs({
    options: {
      experts: { type: 'string' },
      mentions: { type: 'string' },
      policy: { type: 'string' },
      taxonomy: { type: 'string' },
      'topic-model': { type: 'string' },
      'sentiment-model': { type: 'string' },
    },
  });
  const none = !values.experts && !values.mentions;
  if (!none && (!values.experts || !values.mentions)) throw new Error('give both --experts and --mentions, or neither to run the example set');
  const expertsFile = values.experts ?? join(EXAMPLES, 'experts.json');
  const mentionsFile = values.mentions ?? join(EXAMPLES, 'mentions.jsonl');
  const policyFile = values.policy ?? (none ? join(EXAMPLES, 'policy.json') : undefined);

  const { policy, simulation } = readPolicy(policyFile);
  const model = loadModel({ taxonomyFile: values.taxonomy, topicModelFile: values['topic-model'], sentimentModelFile: values['sentiment-model'] });
  const experts = readExperts(expertsFile, simulation);
  const started = Date.now();
  const mentions = readMentions(mentionsFile, model);
  process.stderr.write(`simulate: ${mentions.length} mentions, ${experts.length} experts, policy ${policy.version}\n`);
  const result = runSimulation({ experts, mentions, policy, settings: simulation });
  process.stderr.write(`simulate: done in ${Date.now() - started} ms\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  main();
} catch (e) {
  process.stderr.write(`simulate: ${(e as Error).message}\n`);
  process.exit(2);
}
