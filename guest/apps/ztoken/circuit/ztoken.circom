// The ztoken app's batch circuit (docs/validity.md §3): T transfers over the depth-D Poseidon
// account tree (§2.1), each signed with EdDSA-Poseidon on BabyJubJub (§2.3). A slot with
// enabled = 1 must be an accepted transfer (the witness fails otherwise); enabled = 0 is padding:
// its body is all zeros and it changes nothing. Public inputs: preRoot, postRoot, batchHash (the
// SHA-256 of the T bodies, its top 3 bits dropped), chainId.
pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "circomlib/circuits/sha256/sha256.circom";

// The root of a depth-D path: bits[k] = 0 puts the running node on the left at level k (§2.1).
template MerkleRoot(D) {
    signal input leaf;
    signal input bits[D];
    signal input path[D];
    signal output root;
    component h[D];
    signal node[D + 1];
    signal l[D];
    signal r[D];
    node[0] <== leaf;
    for (var k = 0; k < D; k++) {
        h[k] = Poseidon(2);
        l[k] <== node[k] + bits[k] * (path[k] - node[k]);
        r[k] <== path[k] + node[k] - l[k];
        h[k].inputs[0] <== l[k];
        h[k].inputs[1] <== r[k];
        node[k + 1] <== h[k].out;
    }
    root <== node[D];
}

// leaf = Poseidon(ax, ay, balance, nonce) (§2.1)
template Leaf() {
    signal input ax;
    signal input ay;
    signal input bal;
    signal input nonce;
    signal output out;
    component h = Poseidon(4);
    h.inputs[0] <== ax;
    h.inputs[1] <== ay;
    h.inputs[2] <== bal;
    h.inputs[3] <== nonce;
    out <== h.out;
}

// One transfer slot: root -> next (§3.2).
template Transfer(D) {
    signal input root;
    signal input chainId;
    signal input enabled;
    signal input nonce;
    signal input from;
    signal input to;
    signal input amount;
    signal input R8x;
    signal input R8y;
    signal input S;
    signal input fromAx;
    signal input fromAy;
    signal input fromBal;
    signal input fromNonce;
    signal input fromPath[D];
    signal input toAx;
    signal input toAy;
    signal input toBal;
    signal input toNonce;
    signal input toPath[D];
    signal output next;
    signal output body[304]; // app ‖ op ‖ chainId ‖ nonce ‖ from ‖ to ‖ amount, bits MSB first

    enabled * (1 - enabled) === 0;
    // padding: every body field is zero
    (1 - enabled) * nonce === 0;
    (1 - enabled) * from === 0;
    (1 - enabled) * to === 0;
    (1 - enabled) * amount === 0;

    component nonceBits = Num2Bits(64);
    nonceBits.in <== nonce;
    component fromBits = Num2Bits(D);
    fromBits.in <== from;
    component toBits = Num2Bits(D);
    toBits.in <== to;
    component amountBits = Num2Bits(128);
    amountBits.in <== amount;
    signal bodyChain <== chainId * enabled;
    component chainBits = Num2Bits(64);
    chainBits.in <== bodyChain;

    // the body's bits (§2.2): app 0x03, op 0x01 when enabled
    for (var i = 0; i < 8; i++) body[i] <== (i == 6 || i == 7) ? enabled : 0;
    for (var i = 0; i < 7; i++) body[8 + i] <== 0;
    body[15] <== enabled;
    for (var i = 0; i < 64; i++) body[16 + i] <== chainBits.out[63 - i];
    for (var i = 0; i < 64; i++) body[80 + i] <== nonceBits.out[63 - i];
    for (var i = 0; i < 16; i++) body[144 + i] <== (i < 16 - D) ? 0 : fromBits.out[15 - i];
    for (var i = 0; i < 16; i++) body[160 + i] <== (i < 16 - D) ? 0 : toBits.out[15 - i];
    for (var i = 0; i < 128; i++) body[176 + i] <== amountBits.out[127 - i];

    // the sender's leaf is in the tree, its nonce is the transfer's
    component fromLeaf = Leaf();
    fromLeaf.ax <== fromAx;
    fromLeaf.ay <== fromAy;
    fromLeaf.bal <== fromBal;
    fromLeaf.nonce <== fromNonce;
    component fromOld = MerkleRoot(D);
    fromOld.leaf <== fromLeaf.out;
    for (var k = 0; k < D; k++) {
        fromOld.bits[k] <== fromBits.out[k];
        fromOld.path[k] <== fromPath[k];
    }
    (fromOld.root - root) * enabled === 0;
    (fromNonce - nonce) * enabled === 0;

    // the signature over M = Poseidon(app, op, chainId, nonce, from, to, amount) (§2.3)
    component msg = Poseidon(7);
    msg.inputs[0] <== 3;
    msg.inputs[1] <== 1;
    msg.inputs[2] <== chainId;
    msg.inputs[3] <== nonce;
    msg.inputs[4] <== from;
    msg.inputs[5] <== to;
    msg.inputs[6] <== amount;
    component sig = EdDSAPoseidonVerifier();
    sig.enabled <== enabled;
    sig.Ax <== fromAx;
    sig.Ay <== fromAy;
    sig.S <== S;
    sig.R8x <== R8x;
    sig.R8y <== R8y;
    sig.M <== msg.out;

    // debit: no overdraft (the new balance is a u128), nonce + 1
    signal newFromBal <== fromBal - amount;
    component fromBalBits = Num2Bits(128);
    fromBalBits.in <== newFromBal;
    component fromNew = Leaf();
    fromNew.ax <== fromAx;
    fromNew.ay <== fromAy;
    fromNew.bal <== newFromBal;
    fromNew.nonce <== fromNonce + 1;
    component fromNewRoot = MerkleRoot(D);
    fromNewRoot.leaf <== fromNew.out;
    for (var k = 0; k < D; k++) {
        fromNewRoot.bits[k] <== fromBits.out[k];
        fromNewRoot.path[k] <== fromPath[k];
    }
    signal mid <== root + enabled * (fromNewRoot.root - root);

    // credit, in the tree after the debit: the recipient is open, no overflow
    component toLeaf = Leaf();
    toLeaf.ax <== toAx;
    toLeaf.ay <== toAy;
    toLeaf.bal <== toBal;
    toLeaf.nonce <== toNonce;
    component toOld = MerkleRoot(D);
    toOld.leaf <== toLeaf.out;
    for (var k = 0; k < D; k++) {
        toOld.bits[k] <== toBits.out[k];
        toOld.path[k] <== toPath[k];
    }
    (toOld.root - mid) * enabled === 0;
    component toClosed = IsZero();
    toClosed.in <== toAx;
    toClosed.out * enabled === 0;
    signal newToBal <== toBal + amount;
    component toBalBits = Num2Bits(128);
    toBalBits.in <== newToBal;
    component toNew = Leaf();
    toNew.ax <== toAx;
    toNew.ay <== toAy;
    toNew.bal <== newToBal;
    toNew.nonce <== toNonce;
    component toNewRoot = MerkleRoot(D);
    toNewRoot.leaf <== toNew.out;
    for (var k = 0; k < D; k++) {
        toNewRoot.bits[k] <== toBits.out[k];
        toNewRoot.path[k] <== toPath[k];
    }
    next <== mid + enabled * (toNewRoot.root - mid);
}

template ZTokenBatch(T, D) {
    signal input preRoot;
    signal input postRoot;
    signal input batchHash;
    signal input chainId;
    signal input enabled[T];
    signal input nonce[T];
    signal input from[T];
    signal input to[T];
    signal input amount[T];
    signal input R8x[T];
    signal input R8y[T];
    signal input S[T];
    signal input fromAx[T];
    signal input fromAy[T];
    signal input fromBal[T];
    signal input fromNonce[T];
    signal input fromPath[T][D];
    signal input toAx[T];
    signal input toAy[T];
    signal input toBal[T];
    signal input toNonce[T];
    signal input toPath[T][D];

    component tx[T];
    component sha = Sha256(304 * T);
    signal roots[T + 1];
    roots[0] <== preRoot;
    for (var t = 0; t < T; t++) {
        tx[t] = Transfer(D);
        tx[t].root <== roots[t];
        tx[t].chainId <== chainId;
        tx[t].enabled <== enabled[t];
        tx[t].nonce <== nonce[t];
        tx[t].from <== from[t];
        tx[t].to <== to[t];
        tx[t].amount <== amount[t];
        tx[t].R8x <== R8x[t];
        tx[t].R8y <== R8y[t];
        tx[t].S <== S[t];
        tx[t].fromAx <== fromAx[t];
        tx[t].fromAy <== fromAy[t];
        tx[t].fromBal <== fromBal[t];
        tx[t].fromNonce <== fromNonce[t];
        tx[t].toAx <== toAx[t];
        tx[t].toAy <== toAy[t];
        tx[t].toBal <== toBal[t];
        tx[t].toNonce <== toNonce[t];
        for (var k = 0; k < D; k++) {
            tx[t].fromPath[k] <== fromPath[t][k];
            tx[t].toPath[k] <== toPath[t][k];
        }
        roots[t + 1] <== tx[t].next;
        for (var i = 0; i < 304; i++) sha.in[304 * t + i] <== tx[t].body[i];
    }
    postRoot === roots[T];
    // batchHash = the digest's low 253 bits (out[0] is its most significant bit)
    component h = Bits2Num(253);
    for (var i = 0; i < 253; i++) h.in[i] <== sha.out[255 - i];
    batchHash === h.out;
}
