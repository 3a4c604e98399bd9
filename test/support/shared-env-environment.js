/**
 * The node test environment, except that `process.env` is the worker's own rather than
 * jest's copy: a test file that changes it (docblock `@jest-environment
 * ./test/support/shared-env-environment.js`) changes what the child processes started by
 * the code under test inherit, e.g. which `git` is first on PATH. Such a test must restore
 * what it changed. Wrapped for StrykerJS so its per-test coverage sees these tests too.
 */
const { TestEnvironment } = require('jest-environment-node');
const { mixinJestEnvironment } = require('@stryker-mutator/jest-runner');

class SharedEnvEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.process.env = process.env;
  }
}

module.exports = mixinJestEnvironment(SharedEnvEnvironment);
