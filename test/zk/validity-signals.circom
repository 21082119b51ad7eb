pragma circom 2.1.0;
// Test circuit for the validity L1 binding (docs/validity.md §5, src/apps/ztoken/binding.test.ts):
// the ztoken circuit's five public inputs in its order, constrained only by products, so that the
// binding's checks and the on-chain Groth16 verification are tested without the ztoken circuit.
// Groth16 binds every public input whatever the constraints: a proof verifies only for the exact
// inputs it was made with.

template ValiditySignals() {
    signal input preRoot;
    signal input postRoot;
    signal input recordsHash;
    signal input acceptedMask;
    signal input chainId;
    signal x;
    signal y;
    signal z;
    x <== preRoot * postRoot;
    y <== recordsHash * acceptedMask;
    z <== x * chainId + y;
}

component main {public [preRoot, postRoot, recordsHash, acceptedMask, chainId]} = ValiditySignals();
