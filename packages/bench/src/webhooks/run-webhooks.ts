// Webhook verification against each vendor's own verify, one scheme at a
// time, in the same process and interleaved (harness.measure): the vendor's
// verify is each group's baseline, so every ratio is Sigil's throughput over
// the vendor's, measured seconds apart in the same run. Sigil is timed twice:
// the scheme alone (`@sigil/core/webhooks`, what a hand-rolled handler
// calls) and the whole verifier (`createWebhookVerifier`, replay off: the
// pipeline an adapter runs, minus the store). Slack and Shopify publish no
// verifying library on npm; their baseline is the documented node:crypto
// recipe (createHmac + timingSafeEqual). Every row is checked first: it
// accepts the signed delivery and refuses a tampered body.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import {
  generateWebhookSecret,
  githubScheme,
  shopifyScheme,
  signGithubWebhook,
  signShopifyWebhook,
  signSlackWebhook,
  signStandardWebhook,
  signStripeWebhook,
  slackScheme,
  standardWebhooksScheme,
  stripeScheme,
  type WebhookScheme,
  type WebhookSchemeName,
} from '@sigil/core/webhooks';
import { createWebhookVerifier } from '@sigil/verify';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { QUICK } from '../config.js';
import { measure, type HarnessConfig, type Row, type RowResult } from '../harness.js';
import type { Table } from '../stores/report.js';

/** One scheme's rows: the vendor baseline first, then Sigil's two. */
export interface WebhookBenchGroup {
  readonly scheme: WebhookSchemeName;
  readonly baseline: string;
  readonly rows: readonly RowResult[];
}

const CONFIG: HarnessConfig = QUICK ? { warmupMs: 40, batchMs: 10, rounds: 3 } : { warmupMs: 200, batchMs: 60, rounds: 11 };
const enc = new TextEncoder();
// A typical event: about 1 KiB of JSON.
const PAYLOAD = JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { object: { id: 'in_1', lines: Array.from({ length: 12 }, (_, i) => ({ id: `il_${i}`, amount: 1000 + i, note: 'café ✓' })) } } });
const BODY = enc.encode(PAYLOAD);
const TAMPERED = enc.encode(PAYLOAD.replace('invoice.paid', 'invoice.void'));
const now = (): number => Math.floor(Date.now() / 1000);

interface Fixture {
  readonly scheme: WebhookScheme;
  readonly headers: Record<string, string>;
  readonly baseline: string;
  /** The vendor's verify of (payload text, headers); throws or returns false when it refuses. */
  readonly vendor: (payload: string, headers: Record<string, string>) => unknown;
  readonly vendorAsync?: boolean;
}

function fixtures(): Fixture[] {
  const sw = generateWebhookSecret();
  const stripeSecret = `whsec_${'5a'.repeat(16)}`;
  const gh = 'bench-github-secret';
  const slack = 'bench-slack-signing-secret';
  const shopify = 'shpss_bench_client_secret';
  const ts = now();
  const stripeLib = new Stripe('sk_test_sigil_bench_not_a_real_key');
  const webhook = new Webhook(sw);
  const hmacEquals = (secret: string, content: string, received: string, encoding: 'hex' | 'base64'): boolean => {
    const expected = createHmac('sha256', secret).update(content).digest();
    const got = Buffer.from(received, encoding);
    return got.length === expected.length && timingSafeEqual(got, expected);
  };
  return [
    {
      scheme: standardWebhooksScheme({ secrets: sw }),
      headers: { ...signStandardWebhook({ id: 'msg_bench', timestamp: ts, body: BODY, secrets: sw }) },
      baseline: 'standardwebhooks Webhook.verify',
      vendor: (payload, headers) => webhook.verify(payload, headers),
    },
    {
      scheme: stripeScheme({ secrets: stripeSecret }),
      headers: { ...signStripeWebhook({ timestamp: ts, body: BODY, secrets: [stripeSecret] }) },
      baseline: 'stripe webhooks.signature.verifyHeader',
      vendor: (payload, headers) => stripeLib.webhooks.signature!.verifyHeader(payload, headers['stripe-signature']!, stripeSecret, 300),
    },
    {
      scheme: githubScheme({ secrets: gh }),
      headers: { ...signGithubWebhook({ body: BODY, secret: gh }) },
      baseline: '@octokit/webhooks-methods verify',
      vendor: async (payload, headers) => {
        if (!(await octokitVerify(gh, payload, headers['x-hub-signature-256']!))) throw new Error('refused');
      },
      vendorAsync: true,
    },
    {
      scheme: slackScheme({ secrets: slack }),
      headers: { ...signSlackWebhook({ timestamp: ts, body: BODY, secret: slack }) },
      baseline: "Slack's recipe with node:crypto",
      vendor: (payload, headers) => {
        if (!hmacEquals(slack, `v0:${headers['x-slack-request-timestamp']}:${payload}`, headers['x-slack-signature']!.slice(3), 'hex')) throw new Error('refused');
      },
    },
    {
      scheme: shopifyScheme({ secrets: shopify }),
      headers: { ...signShopifyWebhook({ body: BODY, secret: shopify }) },
      baseline: "Shopify's recipe with node:crypto",
      vendor: (payload, headers) => {
        if (!hmacEquals(shopify, payload, headers['x-shopify-hmac-sha256']!, 'base64')) throw new Error('refused');
      },
    },
  ];
}

async function refuses(run: () => unknown): Promise<boolean> {
  try {
    const answer = await run();
    return answer === false || (typeof answer === 'object' && answer !== null && (answer as { ok?: unknown }).ok === false);
  } catch {
    return true;
  }
}

function rowsOf(f: Fixture): Row[] {
  const list = Object.entries(f.headers);
  const verifier = createWebhookVerifier({ schemes: [f.scheme], replay: false, allowInsecureHttp: true });
  const request = { method: 'POST', target: '/hooks', headers: list, body: BODY };
  const tampered = new TextDecoder().decode(TAMPERED);
  const checkRow = async (name: string, accept: () => unknown, reject: () => unknown): Promise<void> => {
    if (await refuses(accept)) throw new Error(`${f.scheme.name} ${name}: refused the signed delivery`);
    if (!(await refuses(reject))) throw new Error(`${f.scheme.name} ${name}: accepted a tampered body`);
  };
  return [
    {
      name: f.baseline,
      group: 'floor',
      async: f.vendorAsync === true,
      check: () => checkRow('vendor', () => f.vendor(PAYLOAD, f.headers), () => f.vendor(tampered, f.headers)),
      op: () => f.vendor(PAYLOAD, f.headers),
    },
    {
      name: `Sigil ${f.scheme.name} scheme.verify`,
      group: 'sigil',
      async: false,
      check: () => checkRow('scheme', () => f.scheme.verify({ headers: list, body: BODY }, now()), () => f.scheme.verify({ headers: list, body: TAMPERED }, now())),
      op: () => f.scheme.verify({ headers: list, body: BODY }, now()),
    },
    {
      name: `Sigil createWebhookVerifier (replay off)`,
      group: 'sigil',
      async: true,
      check: () => checkRow('verifier', () => verifier.verify(request), () => verifier.verify({ ...request, body: TAMPERED })),
      op: () => verifier.verify(request),
    },
  ];
}

/** Every scheme's rows (vendor first), unchecked: for the bench and its test. */
export function webhookRows(): { readonly scheme: WebhookSchemeName; readonly baseline: string; readonly rows: Row[] }[] {
  return fixtures().map((f) => ({ scheme: f.scheme.name, baseline: f.baseline, rows: rowsOf(f) }));
}

/** Checks and times every scheme's rows; ratios are against the vendor's verify in the same run. */
export async function runWebhooks(log: (line: string) => void): Promise<WebhookBenchGroup[]> {
  const groups: WebhookBenchGroup[] = [];
  for (const f of webhookRows()) {
    const rows = f.rows;
    for (const row of rows) await row.check();
    log(`webhooks: ${f.scheme}`);
    groups.push({ scheme: f.scheme, baseline: f.baseline, rows: await measure(rows, CONFIG, () => undefined) });
  }
  return groups;
}

/** The webhook section: per scheme, each row's throughput and its ratio to the vendor's verify. */
export function webhooksSection(groups: readonly WebhookBenchGroup[], table: Table, markdown: boolean): string[] {
  const rows = groups.flatMap((g) =>
    g.rows.map((r) => [
      g.scheme,
      r.name,
      Math.round(r.opsPerSec).toLocaleString('en-US'),
      r.group === 'floor' ? '1.00x (baseline)' : `${r.ratio.toFixed(2)}x (${r.ratioMin.toFixed(2)}-${r.ratioMax.toFixed(2)})`,
    ]),
  );
  return [
    markdown ? '#### Webhooks: Sigil against each vendor\'s own verify' : "== webhooks: Sigil against each vendor's own verify",
    '',
    ...table(['scheme', 'verify', 'ops/s', 'vs the vendor'], rows, markdown),
    '',
  ];
}
