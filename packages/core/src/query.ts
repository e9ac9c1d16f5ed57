import { asciiLower } from './lib/syntax.js';

// Credentials in a query string end up in proxy and server access logs. A
// verifier refuses any request whose query carries Sigil signature material
// (SPEC.md section 4, step 2), whatever the header says.

const SUSPECT = /kid|mac|sigil-signature/i;

function decode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
}

/**
 * True when the target's query string carries signature material: a
 * parameter named `sigil-signature` (any case, percent-decoded), both a `kid`
 * and a `mac` parameter, or a value that holds both `kid=` and `mac=`.
 *
 * @example
 * hasSignatureInQuery('/x?sigil-signature=v%3D1...'); // true
 * hasSignatureInQuery('/x?page=2');                    // false
 */
export function hasSignatureInQuery(target: string): boolean {
  const q = target.indexOf('?');
  if (q < 0 || q === target.length - 1) return false;
  // Without "%", decoding only turns "+" into a space, which can spell none
  // of these names: a query that holds none of them as text holds none at all.
  if (!target.includes('%', q) && !SUSPECT.test(target.slice(q + 1))) return false;
  let kid = false;
  let mac = false;
  for (const pair of target.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    const name = asciiLower(decode(eq < 0 ? pair : pair.slice(0, eq)));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (name === 'sigil-signature') return true;
    if (name === 'kid') kid = true;
    if (name === 'mac') mac = true;
    if (value.includes('kid=') && value.includes('mac=')) return true;
  }
  return kid && mac;
}
