// A Stryker reporter that appends every tested mutant to a JSON-lines file as soon as its
// result is known, so a run stopped before the end (a deadline, a loaded machine) still
// leaves a record of what it finished. Stryker's own reports are written only at the end.
import fs from 'node:fs';
import path from 'node:path';
import { commonTokens, declareClassPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';

/** @typedef {import('@stryker-mutator/api/core').StrykerOptions} StrykerOptions */
/** @typedef {import('@stryker-mutator/api/core').MutantResult} MutantResult */

class MutantLogReporter {
  static inject = tokens(commonTokens.options);

  /** @param {StrykerOptions} options */
  constructor(options) {
    const report = /** @type {{ fileName?: string } | undefined} */ (options.jsonReporter);
    this.file = path.join(
      path.dirname(report?.fileName ?? 'reports/mutation/mutation.json'),
      'mutants.jsonl',
    );
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(this.file, '');
  }

  /** @param {Readonly<MutantResult>} result */
  onMutantTested(result) {
    const { id, fileName, mutatorName, replacement, location, status, statusReason, testsCompleted } = result;
    const line = JSON.stringify({
      id,
      fileName,
      mutatorName,
      replacement,
      location,
      status,
      statusReason,
      testsCompleted,
    });
    fs.appendFileSync(this.file, `${line}\n`);
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, 'mutant-log', MutantLogReporter)];
