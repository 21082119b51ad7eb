/**
 * Test and bench harness of the on-chain one-step prover (contracts/osp/): deploys TestInbox,
 * PreimageOracle and OneStepProver on an L1 and calls `proveOneStep` (eth_call) or estimates its
 * gas (eth_estimateGas of a transaction calling it).
 */
import { type Abi, type Address, bytesToHex, encodeFunctionData, type Hex } from 'viem';
import type { L1 } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import type { Word } from './hash.ts';
import { messageHash } from './proof.ts';

type Bytes = Word | Hex;

const hex = (b: Bytes): Hex => (typeof b === 'string' ? b : bytesToHex(b));

export interface OspDeployment {
  prover: Address;
  inbox: Address;
  oracle: Address;
  /** the prover's ABI merged with the oracle's (so reverts bubbling up from the oracle decode too) */
  abi: Abi;
  /** `proveOneStep(moduleRoot, pre, proof)` via eth_call; rejects with the revert when it reverts */
  proveOnChain(moduleRoot: Bytes, pre: Bytes, proof: Bytes): Promise<Hex>;
  /** eth_estimateGas of a transaction calling `proveOneStep` (the whole tx: 21000 + calldata + execution) */
  gasOf(moduleRoot: Bytes, pre: Bytes, proof: Bytes): Promise<bigint>;
  /** commits `message` at inbox `position` (TestInbox.setMessageHash with §6.2's messageHash) */
  setInboxMessage(position: bigint, message: Uint8Array): Promise<void>;
  /** submits a keccak256 preimage (kind 0) to the oracle */
  submitPreimage(preimage: Uint8Array): Promise<void>;
}

export async function deployOsp(l1: L1): Promise<OspDeployment> {
  const [inboxArt, oracleArt, proverArt] = await Promise.all([
    getArtifact('TestInbox'),
    getArtifact('PreimageOracle'),
    getArtifact('OneStepProver'),
  ]);
  const inbox = await deploy(l1, inboxArt);
  const oracle = await deploy(l1, oracleArt);
  const prover = await deploy(l1, proverArt, [inbox.address, oracle.address]);
  const abi = [...proverArt.abi, ...oracleArt.abi.filter((x) => x.type === 'error')] as Abi;
  const args = (moduleRoot: Bytes, pre: Bytes, proof: Bytes) =>
    [hex(moduleRoot), hex(pre), hex(proof)] as const;
  const send = async (address: Address, data: Hex) => {
    const hash = await l1.walletClient.sendTransaction({ to: address, data });
    const receipt = await l1.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
  };
  return {
    prover: prover.address,
    inbox: inbox.address,
    oracle: oracle.address,
    abi,
    proveOnChain: (moduleRoot, pre, proof) =>
      l1.publicClient.readContract({
        address: prover.address,
        abi,
        functionName: 'proveOneStep',
        args: args(moduleRoot, pre, proof),
      }) as Promise<Hex>,
    gasOf: (moduleRoot, pre, proof) =>
      l1.publicClient.estimateGas({
        account: l1.walletClient.account,
        to: prover.address,
        data: encodeFunctionData({ abi, functionName: 'proveOneStep', args: args(moduleRoot, pre, proof) }),
      }),
    setInboxMessage: (position, message) =>
      send(
        inbox.address,
        encodeFunctionData({
          abi: inboxArt.abi,
          functionName: 'setMessageHash',
          args: [position, bytesToHex(messageHash(message))],
        }),
      ),
    submitPreimage: (preimage) =>
      send(
        oracle.address,
        encodeFunctionData({
          abi: oracleArt.abi,
          functionName: 'submitPreimage',
          args: [bytesToHex(preimage)],
        }),
      ),
  };
}
