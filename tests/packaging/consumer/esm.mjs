import * as core from '@sigil/core';
import * as vectors from '@sigil/core/vectors';
import * as rfc9421 from '@sigil/core/rfc9421';
import * as fetch from '@sigil/fetch';
import * as verify from '@sigil/verify';
import * as node from '@sigil/verify/node';
import * as fetchAdapter from '@sigil/verify/fetch';
import * as redis from '@sigil/redis';
import { runCli } from '@sigil/cli';
import scenario from './scenario.cjs';

if (typeof runCli !== 'function') throw new Error('@sigil/cli has no runCli');
await scenario('esm', { core, vectors, rfc9421, fetch, verify, node, fetchAdapter, redis });
