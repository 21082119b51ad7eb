pragma circom 2.1.0;
// Test circuit for the validity L1 binding (docs/validity.md §5, src/apps/ztoken/binding.test.ts):
// the ztoken circuit's public inputs at T = 2 in its order (validity v1.1: preRoot, postRoot, the
// 11 record words, acceptedMask, chainId), constrained only by products, so that the binding's
// checks and the on-chain Groth16 verification are tested without the ztoken circuit. Groth16 binds
// every public input whatever the constraints: a proof verifies only for the exact inputs it was
// made with.

template ValiditySignals(K) {
    signal input preRoot;
    signal input postRoot;
    signal input recordWords[K];
    signal input acceptedMask;
    signal input chainId;
    signal x;
    signal y[K];
    signal z;
    x <== preRoot * postRoot;
    var sum = 0;
    for (var i = 0; i < K; i++) {
        y[i] <== recordWords[i] * acceptedMask;
        sum += y[i];
    }
    z <== x * chainId + sum;
}

component main {public [preRoot, postRoot, recordWords, acceptedMask, chainId]} = ValiditySignals(11);
