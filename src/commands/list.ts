import chalk from 'chalk';
import path from 'node:path';
import { discoverLabs } from '../lab/discover.js';
import { EXIT } from './usage-error.js';

export function listCommand(options: { json?: boolean; labs?: string[] }): number {
  const labs = discoverLabs(process.cwd(), options.labs ?? []);
  if (options.json) {
    console.log(JSON.stringify(labs, null, 2));
    return EXIT.ok;
  }
  if (labs.length === 0) {
    const where = [...(options.labs ?? []), 'LABWRIGHT_LABS', './labs'].join(', ');
    console.log(`No labs found in ${where}, and no bundled labs.`);
    return EXIT.ok;
  }
  const width = Math.max(...labs.map((lab) => lab.id.length));
  for (const lab of labs) {
    const where =
      lab.source === 'local' ? chalk.dim(` ${path.relative(process.cwd(), lab.file)}`) : '';
    console.log(`${chalk.bold(lab.id.padEnd(width))}  ${lab.title}${where}`);
  }
  return EXIT.ok;
}
