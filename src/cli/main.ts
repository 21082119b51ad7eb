import { Command } from 'commander';

/** Builds the `modex` command tree. Each command registers itself from its own file. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('modex')
    .description('modex: build and run modular execution layers (VM, proofs, DA, settlement, sequencing)')
    .version('0.1.0');
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
