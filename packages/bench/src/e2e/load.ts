// Child process: the load generator. Sends every pre-signed request of the
// file once (each carries its own nonce, so none is a replay) with
// runLoad, then prints its summary as JSON on stdout.
import { readFileSync } from 'node:fs';
import { runLoad, serialise, type LoadFile } from './loader.js';

const [port, file, connections, amount] = process.argv.slice(2);
if (!port || !file || !connections || !amount) throw new Error('usage: e2e-load.js <port> <requests.json> <connections> <amount>');
const load = JSON.parse(readFileSync(file, 'utf8')) as LoadFile;
const requests = serialise(load, `127.0.0.1:${port}`);
if (requests.length < Number(amount)) throw new Error(`${requests.length} pre-signed requests for ${amount} to send`);
const summary = await runLoad({ port: Number(port), requests: requests.slice(0, Number(amount)), connections: Number(connections) });
process.stdout.write(`${JSON.stringify(summary)}\n`);
