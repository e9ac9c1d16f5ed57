const scenario = require('./scenario.cjs');

scenario('cjs', {
  core: require('@sigil/core'),
  vectors: require('@sigil/core/vectors'),
  rfc9421: require('@sigil/core/rfc9421'),
  fetch: require('@sigil/fetch'),
  verify: require('@sigil/verify'),
  node: require('@sigil/verify/node'),
  fetchAdapter: require('@sigil/verify/fetch'),
  redis: require('@sigil/redis'),
}).catch((error) => {
  console.error(error);
  process.exit(1);
});
