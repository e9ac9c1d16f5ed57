// The round trip a new user's first program does, given the packages as
// loaded by one module system (ESM import or CJS require): a signing fetch
// against a real node:http verifier on 127.0.0.1, then a replay and a
// tampered body of that same request. Prints one JSON line.
const { createServer } = require('node:http');

module.exports = async function scenario(format, { core, vectors, rfc9421, fetch: sigilFetch, verify, node, fetchAdapter, redis }) {
  const key = core.importKey(core.exportKey(core.generateKey(), 'base64url'), { encoding: 'base64url' });
  const verifier = verify.createVerifier({ keys: { 'client-1': key }, nonceStore: new verify.MemoryNonceStore() });
  const server = createServer(node.sigilListener(verifier, (_req, res) => res.end('hello client-1')));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  let sent;
  const signedFetch = sigilFetch.createSigningFetch({
    keyId: 'client-1',
    secret: key,
    origins: [origin],
    fetch: (url, init) => {
      sent = { url, init };
      return globalThis.fetch(url, init);
    },
  });
  try {
    const accepted = await signedFetch(`${origin}/v1/orders?dry_run=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sku":"A-1"}',
    });
    const replay = await globalThis.fetch(sent.url, sent.init);
    const tampered = await globalThis.fetch(sent.url, { ...sent.init, body: '{"sku":"A-2"}' });
    const store = new redis.RedisNonceStore({ client: { call: async () => 'OK' } });
    const result = {
      format,
      accepted: [accepted.status, await accepted.text()],
      replay: [replay.status, (await replay.json()).error],
      tampered: [tampered.status, (await tampered.json()).error],
      redisStore: await store.checkAndStore('client-1', 'AAAAAAAAAAAAAAAAAAAAAA', Date.now() + 60_000),
      subpaths: [typeof vectors.parseVectorFile, typeof rfc9421.signatureBase, typeof fetchAdapter.sigilFetchHandler],
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    server.close();
  }
};
