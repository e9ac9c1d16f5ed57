// The convenience parse of a verified body, for the media types Express apps
// most often parse with express.json(), express.urlencoded() and express.text().

/** A parse that failed: the app's error handler receives it (400). */
export class BodyParseError extends SyntaxError {
  readonly status = 400;
  readonly statusCode = 400;
  readonly expose = true;
  readonly type = 'entity.parse.failed';
}

function mediaType(contentType: string | undefined): { type: string; utf8: boolean } {
  const [type = '', ...params] = (contentType ?? '').toLowerCase().split(';');
  const charset = params.map((p) => p.trim()).find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
  return { type: type.trim(), utf8: charset === undefined || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii' };
}

function form(text: string): Record<string, string | string[]> {
  // No prototype: a field named __proto__ stays a field.
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(text)) {
    const prior = out[name];
    out[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

/**
 * JSON (`application/json`, `*+json`) to a value, urlencoded forms to an
 * object, `text/*` to a string; other types, charsets other than UTF-8 and
 * empty bodies to undefined.
 * Throws BodyParseError on bad JSON or UTF-8.
 */
export function parseBody(contentType: string | undefined, body: Uint8Array): unknown {
  if (body.length === 0) return undefined;
  const { type, utf8 } = mediaType(contentType);
  if (!utf8) return undefined; // Other charsets: req.rawBody holds the bytes.
  const json = type === 'application/json' || type.endsWith('+json');
  if (!json && type !== 'application/x-www-form-urlencoded' && !type.startsWith('text/')) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new BodyParseError('the verified body is not valid UTF-8');
  }
  if (!json) return type.startsWith('text/') ? text : form(text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BodyParseError('the verified body is not valid JSON');
  }
}
