import { encodeFunctionData, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type L1, startAnvil } from '../l1/anvil.ts';
import { deploy } from '../l1/deploy.ts';
import { releaseCurve } from './curve.ts';
import { prove } from './prove.ts';
import { compileVerifier, proofCalldata, solidityVerifier } from './solidity.ts';
import { multiplierChain, poseidonPreimage, type TestCircuit } from './test-circuits.test-helper.ts';

let l1: L1;
let pos: TestCircuit;
let mul: TestCircuit;
beforeAll(async () => {
  [l1, pos, mul] = await Promise.all([startAnvil(), poseidonPreimage(), multiplierChain()]);
});
afterAll(async () => {
  await l1?.stop();
  await releaseCurve();
});

async function deployVerifier(t: TestCircuit) {
  const source = await solidityVerifier(t.keys.zkey);
  expect(source).toMatch(/contract Groth16Verifier/);
  const artifact = await compileVerifier(source);
  return deploy(l1, {
    contractName: 'Groth16Verifier',
    sourceName: 'Groth16Verifier.sol',
    deployedBytecode: '0x',
    ...artifact,
  });
}

describe('the Solidity verifier on anvil', () => {
  it('accepts a valid proof (gas by a transaction) and refuses a wrong proof, wrong inputs and another circuit’s proof', async () => {
    const v = await deployVerifier(pos);
    const p = await prove(pos.circuit.wasm, pos.keys.zkey, { x: 11, y: 12, nonce: 13 });
    const args = proofCalldata(p.proof, p.publicSignals);
    const check = (a: ReturnType<typeof proofCalldata>) =>
      l1.publicClient.readContract({
        address: v.address,
        abi: v.contract.abi,
        functionName: 'verifyProof',
        args: a,
      });
    expect(await check(args)).toBe(true);

    // gasUsed of a transaction (eth_estimateGas would report the out-of-gas `false` path's cost)
    const data = encodeFunctionData({ abi: v.contract.abi, functionName: 'verifyProof', args }) as Hex;
    const hash = await l1.walletClient.sendTransaction({ to: v.address, data, gas: 1_000_000n });
    const receipt = await l1.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    console.log(`Groth16 verify gas (2 public signals, by a transaction): ${receipt.gasUsed}`);
    expect(receipt.gasUsed).toBeGreaterThan(150_000n);
    expect(receipt.gasUsed).toBeLessThan(300_000n);

    const [a, b, c, inputs] = args;
    expect(await check([a, b, c, [inputs[0], inputs[1] + 1n]])).toBe(false);
    expect(await check([a, b, c, [inputs[0] + 1n, inputs[1]]])).toBe(false);
    expect(await check([c, b, a, inputs])).toBe(false);
    expect(await check([a, [b[1], b[0]], c, inputs])).toBe(false);
    // a valid proof of the other circuit, with its own public signals, against this key
    const q = await prove(mul.circuit.wasm, mul.keys.zkey, { a: 3, b: 4, c: 5 });
    expect(await check(proofCalldata(q.proof, q.publicSignals))).toBe(false);
    // and it verifies on that circuit's own verifier
    const w = await deployVerifier(mul);
    expect(
      await l1.publicClient.readContract({
        address: w.address,
        abi: w.contract.abi,
        functionName: 'verifyProof',
        args: proofCalldata(q.proof, q.publicSignals),
      }),
    ).toBe(true);
  });
});
