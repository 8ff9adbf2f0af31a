#!/usr/bin/env node
/**
 * A real Bluesky PDS and its PLC directory on loopback, for the firehose connector's test: the reference
 * implementation's own test network (@atproto/dev-env: @atproto/pds with SQLite stores, and @did-plc/server with an
 * in-memory database), installed in tests/pds by scripts/lib.sh (ensure_pds_deps).
 *   node tests/pds/pds.mjs      prints `ready <pds url>` once it listens; SIGTERM stops it
 * Accounts and posts are made through the PDS's own XRPC API (com.atproto.server.createAccount, repo.createRecord),
 * as any client would; its com.atproto.sync.subscribeRepos is the firehose.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { TestNetworkNoAppView } = require('@atproto/dev-env');

const net = await TestNetworkNoAppView.create({});
process.stdout.write(`ready ${net.pds.url}\n`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await net.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
