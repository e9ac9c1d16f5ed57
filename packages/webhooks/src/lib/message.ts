// The body a delivery sends: the Standard Webhooks envelope
// {"type", "timestamp", "data"}, serialised once and signed per attempt.
import { base64urlEncode, SigilError } from '@sigil/core';

/** What send() delivers. */
export interface WebhookMessage {
  /** The message id, kept across attempts (webhook-id). Default `msg_` + 128 random bits. */
  readonly id?: string;
  /** The event type, e.g. `invoice.paid`. */
  readonly type: string;
  /** The event data: anything JSON.stringify accepts. */
  readonly payload: unknown;
  /** When the event happened (the envelope's `timestamp`). Default now. Not the signed webhook-timestamp, which is fresh per attempt. */
  readonly timestamp?: Date;
}

const ID = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;
const TYPE = /^[\x21-\x7e]{1,256}$/;

function invalid(detail: string): SigilError {
  return new SigilError('invalid_option', { detail });
}

/** A fresh message id: `msg_` + 22 base64url characters. */
export function newMessageId(): string {
  return `msg_${base64urlEncode(globalThis.crypto.getRandomValues(new Uint8Array(16)))}`;
}

/** Checks the message and builds its bytes. Throws `invalid_option` or `body_too_large`. */
export function buildMessage(message: WebhookMessage, nowMs: number, maxPayloadBytes: number): { id: string; body: Uint8Array } {
  if (typeof message !== 'object' || message === null) throw invalid('message: expected { type, payload }');
  const id = message.id ?? newMessageId();
  if (typeof id !== 'string' || !ID.test(id)) throw invalid('id: expected 1-256 visible ASCII characters without "."');
  if (typeof message.type !== 'string' || !TYPE.test(message.type)) throw invalid('type: expected 1-256 visible ASCII characters');
  const at = message.timestamp ?? new Date(nowMs);
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw invalid('timestamp: expected a valid Date');
  let text: string | undefined;
  try {
    text = JSON.stringify({ type: message.type, timestamp: at.toISOString(), data: message.payload });
  } catch {
    text = undefined;
  }
  if (text === undefined || !('payload' in message) || message.payload === undefined) throw invalid('payload: expected a JSON-serialisable value');
  const body = new TextEncoder().encode(text);
  if (body.length > maxPayloadBytes) throw new SigilError('body_too_large', { detail: `the webhook body is over maxPayloadBytes (${maxPayloadBytes})` });
  return { id, body };
}
