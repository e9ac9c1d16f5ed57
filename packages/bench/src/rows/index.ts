// Every row of the table, in print order. The floor comes first; ratios in
// every row are against it. The reference row beside it shows how much of
// Sigil's gain against the floor is its cheaper HMAC.
import type { RowFactory } from '../harness.js';
import { floorRow, floorSigilHmacRow } from './floor.js';
import { aws4Row } from './peers/aws4.js';
import { hawkRow } from './peers/hawk.js';
import { httpsigRow } from './peers/httpsig.js';
import { smithyRow } from './peers/smithy.js';
import { standardWebhooksRow } from './peers/standardwebhooks.js';
import { sigilSignPortableRow, sigilSignRow } from './sigil-sign.js';
import { sigilVerifyRow } from './sigil-verify.js';
import { SIGIL_RESPONSE_ROWS } from './sigil-response.js';

/** The peer rows alone (the smoke test runs their checks). */
export const PEER_ROWS: Readonly<Record<string, RowFactory>> = {
  aws4: aws4Row,
  '@smithy/signature-v4': smithyRow,
  'http-message-signatures': httpsigRow,
  standardwebhooks: standardWebhooksRow,
  '@hapi/hawk': hawkRow,
};

/** All rows, in print order. */
export const ROWS: readonly RowFactory[] = [
  floorRow,
  floorSigilHmacRow,
  sigilSignRow,
  sigilVerifyRow,
  ...SIGIL_RESPONSE_ROWS,
  sigilSignPortableRow,
  ...Object.values(PEER_ROWS),
];
