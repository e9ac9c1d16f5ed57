// Every row of the table, in print order. The floor comes first; ratios in
// every row are against it. The reference row beside it shows how much of
// Sigil's gain against the floor is its cheaper HMAC.
import type { RowFactory } from '../harness.js';
import { floorRow, floorSigilHmacRow } from './floor.js';
import { aws4Row, aws4VerifyRow } from './peers/aws4.js';
import { hawkRow, hawkVerifyRow } from './peers/hawk.js';
import { httpsigRow, httpsigVerifyRow } from './peers/httpsig.js';
import { smithyRow } from './peers/smithy.js';
import { standardWebhooksRow, standardWebhooksVerifyRow } from './peers/standardwebhooks.js';
import { sigilSignPortableRow, sigilSignRow } from './sigil-sign.js';
import { sigilVerifyRow } from './sigil-verify.js';
import { SIGIL_CLIENT_RESPONSE_ROWS } from './sigil-client-response.js';
import { SIGIL_RESPONSE_ROWS } from './sigil-response.js';

/** The peer rows alone (the smoke test runs their checks). */
export const PEER_ROWS: Readonly<Record<string, RowFactory>> = {
  aws4: aws4Row,
  '@smithy/signature-v4': smithyRow,
  'http-message-signatures': httpsigRow,
  standardwebhooks: standardWebhooksRow,
  '@hapi/hawk': hawkRow,
};

/**
 * The peers' verify paths, timed next to Sigil verify. @smithy/signature-v4
 * has no verify either; its server side would be the same SigV4 re-sign as
 * aws4's, so it gets no row of its own.
 */
export const PEER_VERIFY_ROWS: Readonly<Record<string, RowFactory>> = {
  'aws4 verify': aws4VerifyRow,
  'http-message-signatures verify': httpsigVerifyRow,
  'standardwebhooks verify': standardWebhooksVerifyRow,
  '@hapi/hawk verify': hawkVerifyRow,
};

/** All rows, in print order. */
export const ROWS: readonly RowFactory[] = [
  floorRow,
  floorSigilHmacRow,
  sigilSignRow,
  sigilVerifyRow,
  ...SIGIL_RESPONSE_ROWS,
  ...SIGIL_CLIENT_RESPONSE_ROWS,
  sigilSignPortableRow,
  ...Object.values(PEER_ROWS),
  ...Object.values(PEER_VERIFY_ROWS),
];
