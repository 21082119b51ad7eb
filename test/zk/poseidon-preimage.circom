pragma circom 2.1.0;
// Test circuit for src/zk (docs/validity.md §1): knowledge of a Poseidon preimage (x, y) of a public
// hash, bound to a public nonce. About 250 constraints with --O2.
include "circomlib/circuits/poseidon.circom";

template PoseidonPreimage() {
    signal input x;
    signal input y;
    signal input nonce;
    signal output hash;
    component h = Poseidon(3);
    h.inputs[0] <== x;
    h.inputs[1] <== y;
    h.inputs[2] <== nonce;
    hash <== h.out;
}

component main {public [nonce]} = PoseidonPreimage();
