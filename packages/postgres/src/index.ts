export { PostgresNonceStore } from './store.js';
export { DEFAULT_TIMEOUT_MS } from './options.js';
export type { PgClient, PostgresClient, PostgresJsClient, PostgresNonceStoreEvent, PostgresNonceStoreOptions } from './options.js';
export { DEFAULT_TABLE, nonceTableSql } from './table.js';
export type { NonceTable } from './table.js';
