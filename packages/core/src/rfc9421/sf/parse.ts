// A strict RFC 8941 parser (section 4.2), written from the RFC's
// algorithms. Every failure is a SigilError `signature_header_malformed`
// with a fixed detail; callers that parse other fields re-code it.
import { SigilError } from '../../errors.js';
import { base64Decode } from '../../lib/encoding.js';
import { SfDecimal, SfToken, type BareItem, type Dictionary, type InnerList, type Item, type List, type Member } from './types.js';

const KEY_START = /[a-z*]/;
const KEY_CHAR = /[a-z0-9_\-.*]/;
const TOKEN_START = /[A-Za-z*]/;
const TOKEN_CHAR = /[A-Za-z0-9!#$%&'*+\-.^_`|~:/]/;
const BASE64_CHAR = /[A-Za-z0-9+/=]/;
const DIGIT = /[0-9]/;

function fail(detail: string): never {
  throw new SigilError('signature_header_malformed', { detail: `structured field: ${detail}` });
}

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.i >= this.s.length;
  }
  peek(): string {
    return this.s[this.i] ?? '';
  }
  skipSP(): void {
    while (this.s[this.i] === ' ') this.i++;
  }
  skipOWS(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }

  /** After a member: end of input, or a comma then another member. */
  nextMember(): boolean {
    this.skipOWS();
    if (this.done) return false;
    if (this.s[this.i++] !== ',') fail('members must be separated by commas');
    this.skipOWS();
    if (this.done) fail('trailing comma');
    return true;
  }

  member(): Member {
    return this.peek() === '(' ? this.innerList() : this.item();
  }

  innerList(): InnerList {
    this.i++; // "("
    const items: Item[] = [];
    while (!this.done) {
      this.skipSP();
      if (this.peek() === ')') {
        this.i++;
        return { items, params: this.params() };
      }
      items.push(this.item());
      const c = this.peek();
      if (c !== ' ' && c !== ')') fail('inner list items must be separated by spaces');
    }
    return fail('unterminated inner list');
  }

  item(): Item {
    const value = this.bareItem();
    return { value, params: this.params() };
  }

  params(): Map<string, BareItem> {
    const params = new Map<string, BareItem>();
    while (this.peek() === ';') {
      this.i++;
      this.skipSP();
      const key = this.key();
      let value: BareItem = true;
      if (this.peek() === '=') {
        this.i++;
        value = this.bareItem();
      }
      params.set(key, value);
    }
    return params;
  }

  key(): string {
    const start = this.i;
    if (!KEY_START.test(this.peek())) fail('a key must start with a-z or *');
    while (!this.done && KEY_CHAR.test(this.peek())) this.i++;
    return this.s.slice(start, this.i);
  }

  bareItem(): BareItem {
    const c = this.peek();
    if (c === '-' || DIGIT.test(c)) return this.number();
    if (c === '"') return this.string();
    if (c === ':') return this.bytes();
    if (c === '?') return this.boolean();
    if (TOKEN_START.test(c)) return this.token();
    return fail('not a bare item');
  }

  number(): number | SfDecimal {
    const sign = this.peek() === '-' ? (this.i++, -1) : 1;
    if (!DIGIT.test(this.peek())) fail('a number needs a digit');
    let digits = '';
    let decimal = false;
    while (!this.done) {
      const c = this.peek();
      if (DIGIT.test(c)) digits += c;
      else if (!decimal && c === '.') {
        if (digits.length > 12) fail('too many integer digits in a decimal');
        digits += c;
        decimal = true;
      } else break;
      this.i++;
      if (!decimal && digits.length > 15) fail('an integer has at most 15 digits');
      if (decimal && digits.length > 16) fail('a decimal has at most 16 characters');
    }
    if (!decimal) return sign * Number(digits);
    if (digits.endsWith('.')) fail('a decimal needs a fractional digit');
    if (digits.length - digits.indexOf('.') - 1 > 3) fail('a decimal has at most 3 fractional digits');
    return new SfDecimal(sign * Number(digits));
  }

  string(): string {
    this.i++; // opening quote
    let out = '';
    while (!this.done) {
      const c = this.s[this.i++]!;
      if (c === '\\') {
        const next = this.s[this.i++];
        if (next !== '"' && next !== '\\') fail('bad escape in a string');
        out += next;
      } else if (c === '"') {
        return out;
      } else {
        const code = c.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) fail('a string holds a character outside printable ASCII');
        out += c;
      }
    }
    return fail('unterminated string');
  }

  token(): SfToken {
    const start = this.i++;
    while (!this.done && TOKEN_CHAR.test(this.peek())) this.i++;
    return new SfToken(this.s.slice(start, this.i));
  }

  bytes(): Uint8Array {
    const start = ++this.i;
    while (!this.done && this.peek() !== ':') {
      if (!BASE64_CHAR.test(this.peek())) fail('a byte sequence holds a non-base64 character');
      this.i++;
    }
    if (this.done) fail('unterminated byte sequence');
    const text = this.s.slice(start, this.i++);
    // Strict: canonical padded base64 only, so one byte string has one encoding.
    const bytes = base64Decode(text);
    return bytes ?? fail('a byte sequence is not canonical base64');
  }

  boolean(): boolean {
    this.i++;
    const c = this.s[this.i++];
    if (c === '1') return true;
    if (c === '0') return false;
    return fail('a boolean is ?0 or ?1');
  }
}

function start(input: string): Parser {
  if (typeof input !== 'string') fail('the value is not a string');
  // Top-level: only SP is discarded, at both ends (RFC 8941 section 4.2).
  let end = input.length;
  while (end > 0 && input[end - 1] === ' ') end--;
  const p = new Parser(input.slice(0, end));
  p.skipSP();
  return p;
}

/**
 * Parses an sf-list (RFC 8941 section 4.2.1). An empty value is an empty list.
 *
 * @example
 * parseList('sugar, tea, rum').length; // 3
 */
export function parseList(input: string): List {
  const p = start(input);
  const members: Member[] = [];
  if (p.done) return members;
  do members.push(p.member());
  while (p.nextMember());
  return members;
}

/**
 * Parses an sf-dictionary (RFC 8941 section 4.2.2). A later duplicate key
 * overwrites the earlier value in its original position.
 *
 * @example
 * parseDictionary('a=?0, b, c;foo=bar').get('b'); // { value: true, params: Map {} }
 */
export function parseDictionary(input: string): Dictionary {
  const p = start(input);
  const dict = new Map<string, Member>();
  if (p.done) return dict;
  do {
    const key = p.key();
    if (p.peek() === '=') {
      p.i++;
      dict.set(key, p.member());
    } else {
      dict.set(key, { value: true, params: p.params() });
    }
  } while (p.nextMember());
  return dict;
}

/**
 * Parses an sf-item (RFC 8941 section 4.2.3).
 *
 * @example
 * parseItem('5; foo=bar').value; // 5
 */
export function parseItem(input: string): Item {
  const p = start(input);
  const item = p.item();
  if (!p.done) fail('trailing characters after an item');
  return item;
}
