import { ModexError } from '../core/errors.ts';

/** The anvil binary could not be found for this platform. */
export class AnvilNotFoundError extends ModexError {
  constructor(message: string) {
    super('ANVIL_NOT_FOUND', message);
  }
}

/** The embedded anvil did not start or did not answer in time. */
export class AnvilStartError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ANVIL_START_FAILED', message, options);
  }
}

/** An external settlement-layer RPC URL did not answer `eth_chainId`. */
export class L1UnreachableError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('L1_UNREACHABLE', message, options);
  }
}

/** solc reported errors while compiling contracts/. */
export class ContractsCompileError extends ModexError {
  /** solc's formatted messages, one per error. */
  readonly messages: string[];
  constructor(messages: string[]) {
    super('CONTRACTS_COMPILE_FAILED', `solc reported ${messages.length} error(s):\n${messages.join('\n')}`);
    this.messages = messages;
  }
}

/** A contract artifact was asked for by a name the build did not produce. */
export class ArtifactNotFoundError extends ModexError {
  constructor(message: string) {
    super('ARTIFACT_NOT_FOUND', message);
  }
}

/** A deployment transaction failed or produced no contract. */
export class DeployError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEPLOY_FAILED', message, options);
  }
}
