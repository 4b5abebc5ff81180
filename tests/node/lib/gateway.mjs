// What every test file needs: the gateway's address (GATEWAY_ENDPOINT), its virtual clock
// (/_emulator/clock of the control plane), waits that move that clock instead of sleeping, unique
// names, and the checks shared by the dialects.
//
// The gateway must already run, with --control-plane, on the reference world
// (infra/worlds/reference.json); infra/local/test.sh starts one, and tests/node/run.sh runs this suite.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

function endpointFromEnv() {
  const value = process.env.GATEWAY_ENDPOINT;
  if (!value) {
    throw new Error(
      "GATEWAY_ENDPOINT is not set: the Node.js conformance suite needs a running gateway (with " +
        "--control-plane, on infra/worlds/reference.json). Run it through infra/local/test.sh, or start a " +
        "gateway and run GATEWAY_ENDPOINT=127.0.0.1:PORT tests/node/run.sh.",
    );
  }
  const match = /^([^:/\s]+):(\d{1,5})$/.exec(value);
  if (!match) {
    throw new Error(`GATEWAY_ENDPOINT must be host:port (plain http), not '${value}'`);
  }
  return { endpoint: value, host: match[1], port: Number(match[2]) };
}

// Thrown at import: a file without a gateway fails, it is never skipped.
export const GATEWAY = endpointFromEnv();

export const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A name no other run or test has: PREFIX-<8 hex>. */
export function unique(prefix) {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

async function clock(body) {
  const res = await fetch(`http://${GATEWAY.endpoint}/_emulator/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `the control plane refused ${JSON.stringify(body)}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Move the gateway's virtual clock SECONDS forward. */
export async function advance(seconds) {
  return clock({ advance: `${seconds}s` });
}

/** The gateway's clock back to real time (every file does this after its tests). */
export async function realTime() {
  const body = await clock({ real: true });
  assert.equal(body.offset_ms, 0, JSON.stringify(body));
}

/**
 * Read until done(value), moving the virtual clock one second between reads (as a tool's state
 * wait would sleep); the value that made it. Fails after `steps` reads.
 */
export async function waitFor(read, done, what, steps = 20) {
  let value;
  for (let i = 0; i < steps; i++) {
    value = await read();
    if (done(value)) {
      return value;
    }
    await advance(1);
  }
  assert.fail(`${what} never came; last read: ${JSON.stringify(value)}`);
}

/**
 * Await PROMISE, which must reject; hand the SDK's own exception to CHECK and return it.
 * A success is a failure of the test, with what came back.
 */
export async function rejection(promise, what) {
  let result;
  try {
    result = await promise;
  } catch (err) {
    return err;
  }
  assert.fail(`${what}: expected the SDK to throw, it returned ${JSON.stringify(result)?.slice(0, 800)}`);
}

/**
 * Run the cleanups registered with it, last first, whatever happens; errors are reported, not
 * thrown. add() returns a function that drops its step (the test did it itself).
 */
export class Cleanup {
  constructor() {
    this.steps = [];
  }

  add(what, fn) {
    const step = [what, fn];
    this.steps.push(step);
    return () => {
      this.steps = this.steps.filter((s) => s !== step);
    };
  }

  async run() {
    for (const [what, fn] of this.steps.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error(`cleanup '${what}' failed: ${err?.code ?? ""} ${err?.message ?? err}`);
      }
    }
    this.steps = [];
  }
}
