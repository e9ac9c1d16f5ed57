// @types/express is not (yet) a dependency of sigil-examples, and installs are
// frozen while several people work in this tree: until it is added to
// examples/package.json devDependencies, `express` is typed loosely here.
// Delete this file once @types/express is installed.
declare module 'express';
