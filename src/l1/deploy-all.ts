/**
 * Deploys every concrete contract of the build, for the devnet: constructor parameters get zero
 * values (0, false, the zero address, empty bytes/strings/arrays). A real settlement deployment
 * (inbox, assertions, challenge manager...) will replace this with an explicit plan.
 */
import type { AbiParameter, Address } from 'viem';
import type { L1 } from './anvil.ts';
import { buildContracts, getArtifact } from './contracts.ts';
import { deploy } from './deploy.ts';

export interface DeployedContract {
  name: string;
  sourceName: string;
  address: Address;
}

export async function deployAll(
  l1: L1,
  onDeployed?: (c: DeployedContract) => void,
): Promise<DeployedContract[]> {
  const build = await buildContracts();
  const out: DeployedContract[] = [];
  for (const qualified of build.contracts) {
    const artifact = await getArtifact(qualified);
    if (artifact.bytecode === '0x') continue; // abstract contract or interface
    const ctor = artifact.abi.find((x) => x.type === 'constructor');
    const args = ctor && 'inputs' in ctor ? ctor.inputs.map(zeroValue) : [];
    const { address } = await deploy(l1, artifact, args);
    const c = { name: artifact.contractName, sourceName: artifact.sourceName, address };
    onDeployed?.(c);
    out.push(c);
  }
  return out;
}

/** The zero value of an ABI type, as viem encodes it. */
export function zeroValue(p: AbiParameter): unknown {
  const t = p.type;
  if (t.endsWith(']')) {
    const m = /\[(\d*)\]$/.exec(t);
    const inner = { ...p, type: t.slice(0, t.lastIndexOf('[')) } as AbiParameter;
    return m?.[1] ? Array.from({ length: Number(m[1]) }, () => zeroValue(inner)) : [];
  }
  if (t === 'tuple') {
    const comps = 'components' in p ? p.components : [];
    return Object.fromEntries(comps.map((c, i) => [c.name ?? String(i), zeroValue(c)]));
  }
  if (t.startsWith('uint') || t.startsWith('int')) return 0n;
  if (t === 'bool') return false;
  if (t === 'address') return '0x0000000000000000000000000000000000000000';
  if (t === 'string') return '';
  if (t === 'bytes') return '0x';
  if (t.startsWith('bytes')) return `0x${'00'.repeat(Number(t.slice(5)))}`;
  throw new Error(`unsupported ABI type ${t}`);
}
