import { Command } from 'commander';
import { register as registerBench } from './commands/bench.ts';
import { register as registerBuild } from './commands/build.ts';
import { register as registerConfig } from './commands/config.ts';
import { register as registerContracts } from './commands/contracts.ts';
import { register as registerDaServer } from './commands/da-server.ts';
import { register as registerDevnet } from './commands/devnet.ts';
import { register as registerEvm } from './commands/evm.ts';
import { register as registerLight } from './commands/light.ts';
import { register as registerNew } from './commands/new.ts';
import { register as registerNode } from './commands/node.ts';
import { register as registerReport } from './commands/report.ts';
import { register as registerValidator } from './commands/validator.ts';
import { register as registerWasm } from './commands/wasm.ts';

/** Builds the `modex` command tree. Each command registers itself from its own file. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('modex')
    .description('modex: build and run modular execution layers (VM, proofs, DA, settlement, sequencing)')
    .version('0.1.0');
  registerConfig(program);
  registerContracts(program);
  registerDevnet(program);
  registerLight(program);
  registerNode(program);
  registerDaServer(program);
  registerValidator(program);
  registerBench(program);
  registerReport(program);
  registerWasm(program);
  registerEvm(program);
  registerNew(program);
  registerBuild(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
