// The ztoken chunk circuit, validity v1 (docs/validity.md §3, §5): T records (160 bytes each, the
// stream L1 extracts from the inbox messages) applied in order to the depth-D Poseidon account tree
// (§2.1). Every record is decided exactly as the model decides it (§2.2): an accepted one changes
// the tree, a rejected one (or a padding record, op 0) changes nothing, and no rejection makes the
// witness fail. Public inputs, in this order (validity v1.1): preRoot, postRoot, recordWords[K]
// (the T × 160 record bytes cut into K = ceil(160·T / 31) big-endian words of 31 bytes, the last
// right-padded with zero bytes), acceptedMask (bit t = record t was applied), chainId. Soundness assumes a tree reached from the empty one by this circuit (every leaf with
// ax = 0 is all zero, every ax ≠ 0 a key of the prime-order subgroup, every balance a u128) and
// records L1 built (op 0…4, the layout of §5, an open's ax on the curve).
pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/compconstant.circom";
include "circomlib/circuits/babyjub.circom";
include "circomlib/circuits/escalarmulany.circom";
include "circomlib/circuits/escalarmulfix.circom";
include "circomlib/circuits/mux3.circom";

// The root of a depth-D path: bits[k] = 0 puts the running node on the left at level k (§2.1).
template MerkleRoot(D) {
    signal input leaf;
    signal input bits[D];
    signal input path[D];
    signal output root;
    component h[D];
    signal node[D + 1];
    signal l[D];
    node[0] <== leaf;
    for (var k = 0; k < D; k++) {
        h[k] = Poseidon(2);
        l[k] <== node[k] + bits[k] * (path[k] - node[k]);
        h[k].inputs[0] <== l[k];
        h[k].inputs[1] <== path[k] + node[k] - l[k];
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

// 1 iff the 256-bit value (bits LSB first) is < ct + 1 for a 254-bit constant ct (no assertion)
template LeqConst256(ct) {
    signal input in[256];
    signal output out;
    component gt = CompConstant(ct);
    for (var i = 0; i < 254; i++) gt.in[i] <== in[i];
    component hi = IsZero();
    hi.in <== in[254] + in[255];
    out <== (1 - gt.out) * hi.out;
}

// 1 iff (x, y) is on BabyJubJub: a·x² + y² = 1 + d·x²·y² (no assertion)
template OnCurveBit() {
    signal input x;
    signal input y;
    signal output out;
    signal x2 <== x * x;
    signal y2 <== y * y;
    signal x2y2 <== x2 * y2;
    component z = IsZero();
    z.in <== 168700 * x2 + y2 - 1 - 168696 * x2y2;
    out <== z.out;
}

// circomlib's EdDSAPoseidonVerifier with a bit instead of assertions: ok = S < l (sOk, computed by
// the caller from S's 256 bits) and S·B8 = R8 + 8·h·A, h = Poseidon(R8x, R8y, Ax, Ay, M). The
// caller passes A on the curve with 8·A ≠ identity and R8 on the curve (so no addition divides by
// zero whatever the transaction holds).
template EdDSAPoseidonBit() {
    signal input Ax;
    signal input Ay;
    signal input R8x;
    signal input R8y;
    signal input sBits[253];
    signal input sOk;
    signal input M;
    signal output ok;

    component hash = Poseidon(5);
    hash.inputs[0] <== R8x;
    hash.inputs[1] <== R8y;
    hash.inputs[2] <== Ax;
    hash.inputs[3] <== Ay;
    hash.inputs[4] <== M;
    component h2bits = Num2Bits_strict();
    h2bits.in <== hash.out;

    component dbl1 = BabyDbl();
    dbl1.x <== Ax;
    dbl1.y <== Ay;
    component dbl2 = BabyDbl();
    dbl2.x <== dbl1.xout;
    dbl2.y <== dbl1.yout;
    component dbl3 = BabyDbl();
    dbl3.x <== dbl2.xout;
    dbl3.y <== dbl2.yout;
    component mulAny = EscalarMulAny(254);
    for (var i = 0; i < 254; i++) mulAny.e[i] <== h2bits.out[i];
    mulAny.p[0] <== dbl3.xout;
    mulAny.p[1] <== dbl3.yout;
    component addRight = BabyAdd();
    addRight.x1 <== R8x;
    addRight.y1 <== R8y;
    addRight.x2 <== mulAny.out[0];
    addRight.y2 <== mulAny.out[1];

    var BASE8[2] = [
        5299619240641551281634865583518297030282874472190772894086521144482721001553,
        16950150798460657717958625567821834550301663161624707787222815936182638968203
    ];
    component mulFix = EscalarMulFix(253, BASE8);
    for (var i = 0; i < 253; i++) mulFix.e[i] <== sBits[i];

    component ex = IsEqual();
    ex.in[0] <== mulFix.out[0];
    ex.in[1] <== addRight.xout;
    component ey = IsEqual();
    ey.in[0] <== mulFix.out[1];
    ey.in[1] <== addRight.yout;
    signal both <== ex.out * ey.out;
    ok <== both * sOk;
}

// One record applied to the tree: root -> next, accepted = it was applied (§3, §5).
template Slot(D) {
    signal input root;
    signal input chainId;
    signal input rec[1280]; // the record's bits, byte by byte, each byte's most significant bit first
    signal input opFlag[5]; // one-hot: op 0 (padding), 1 transfer, 2 withdraw, 3 open, 4 deposit
    // leaf 1: the sender (transfer, withdraw), the index (open) or the deposit's account, in root
    signal input ax1;
    signal input ay1;
    signal input bal1;
    signal input nonce1;
    signal input path1[D];
    // leaf 2: the recipient of a transfer (any leaf otherwise) in the tree after leaf 1's update
    signal input ax2;
    signal input ay2;
    signal input bal2;
    signal input nonce2;
    signal input path2[D];
    // an open's key: ky (the y of parity aySign), and ky's split P = 8·Q + torsion[tSel]
    signal input ky;
    signal input Qx;
    signal input Qy;
    signal input tSel[3];
    signal output next;
    signal output accepted;

    // --- the record's fields (§5): bit i (LSB first) of the n-byte field at byte offset off
    for (var i = 0; i < 1280; i++) rec[i] * (rec[i] - 1) === 0;
    var op = 0;
    for (var i = 0; i < 8; i++) op += rec[7 - i] * (1 << i);
    var nonce = 0;
    for (var i = 0; i < 64; i++) nonce += rec[8 * (1 + 7 - i \ 8) + 7 - i % 8] * (1 << i);
    signal idxBit[16];
    for (var i = 0; i < 16; i++) idxBit[i] <== rec[8 * (9 + 1 - i \ 8) + 7 - i % 8];
    var idx = 0;
    for (var i = 0; i < 16; i++) idx += idxBit[i] * (1 << i);
    var amount = 0;
    for (var i = 0; i < 128; i++) amount += rec[8 * (11 + 15 - i \ 8) + 7 - i % 8] * (1 << i);
    var aySign = rec[8 * 27 + 7];
    signal aBit[256];
    signal rxBit[256];
    signal ryBit[256];
    signal sBit[256];
    for (var i = 0; i < 256; i++) {
        aBit[i] <== rec[8 * (32 + 31 - i \ 8) + 7 - i % 8];
        rxBit[i] <== rec[8 * (64 + 31 - i \ 8) + 7 - i % 8];
        ryBit[i] <== rec[8 * (96 + 31 - i \ 8) + 7 - i % 8];
        sBit[i] <== rec[8 * (128 + 31 - i \ 8) + 7 - i % 8];
    }
    var A = 0;
    var R8x = 0;
    var R8y = 0;
    var e = 1;
    for (var i = 0; i < 256; i++) {
        A += aBit[i] * e;
        R8x += rxBit[i] * e;
        R8y += ryBit[i] * e;
        e = e + e;
    }

    var fsum = 0;
    var fop = 0;
    for (var k = 0; k < 5; k++) {
        opFlag[k] * (opFlag[k] - 1) === 0;
        fsum += opFlag[k];
        fop += k * opFlag[k];
    }
    fsum === 1;
    fop === op;
    signal isT <== opFlag[1];
    signal isW <== opFlag[2];
    signal isO <== opFlag[3];
    signal isD <== opFlag[4];

    // --- leaf 1: at idx, or at the deposit address's top 2 bytes; it is in the tree
    signal b1[16];
    for (var k = 0; k < 16; k++) b1[k] <== idxBit[k] + isD * (aBit[144 + k] - idxBit[k]);
    component oldLeaf1 = Leaf();
    oldLeaf1.ax <== ax1;
    oldLeaf1.ay <== ay1;
    oldLeaf1.bal <== bal1;
    oldLeaf1.nonce <== nonce1;
    component oldRoot1 = MerkleRoot(D);
    oldRoot1.leaf <== oldLeaf1.out;
    for (var k = 0; k < D; k++) {
        oldRoot1.bits[k] <== b1[k];
        oldRoot1.path[k] <== path1[k];
    }
    oldRoot1.root === root;
    component closed1 = IsZero();
    closed1.in <== ax1;
    signal open1 <== 1 - closed1.out;

    // --- an open's key (kx, ky): on the curve (L1 checked it), ky of parity aySign, and whether it
    // is in the prime-order subgroup and not the identity (P = 8·Q + torsion, torsion = identity)
    signal kx <== isO * A;
    signal kx2 <== kx * kx;
    signal ky2 <== ky * ky;
    signal kxy <== kx2 * ky2;
    168700 * kx2 + ky2 === 1 + 168696 * kxy;
    component kyBits = Num2Bits_strict();
    kyBits.in <== ky;
    isO * (kyBits.out[0] - aySign) === 0;
    signal qx2 <== Qx * Qx;
    signal qy2 <== Qy * Qy;
    signal qxy <== qx2 * qy2;
    168700 * qx2 + qy2 === 1 + 168696 * qxy;
    component q2 = BabyDbl();
    q2.x <== Qx;
    q2.y <== Qy;
    component q4 = BabyDbl();
    q4.x <== q2.xout;
    q4.y <== q2.yout;
    component q8 = BabyDbl();
    q8.x <== q4.xout;
    q8.y <== q4.yout;
    var TOR[2][8] = [
        [0, 4342719913949491028786768530115087822524712248835451589697801404893164183326,
         18930368022820495955728484915491405972470733850014661777449844430438130630919,
         4342719913949491028786768530115087822524712248835451589697801404893164183326, 0,
         17545522957889784193459637215142187266023652151580582754000402781682644312291,
         2957874849018779266517920829765869116077630550401372566248359756137677864698,
         17545522957889784193459637215142187266023652151580582754000402781682644312291],
        [1, 4826523245007015323400664741523384119579596407052839571721035538011798951543, 0,
         17061719626832259898845741003733890968968767993363194771977168648564009544074,
         21888242871839275222246405745257275088548364400416034343698204186575808495616,
         17061719626832259898845741003733890968968767993363194771977168648564009544074, 0,
         4826523245007015323400664741523384119579596407052839571721035538011798951543]
    ];
    component tor = MultiMux3(2);
    for (var k = 0; k < 3; k++) {
        tSel[k] * (tSel[k] - 1) === 0;
        tor.s[k] <== tSel[k];
    }
    for (var j = 0; j < 8; j++) {
        tor.c[0][j] <== TOR[0][j];
        tor.c[1][j] <== TOR[1][j];
    }
    component split = BabyAdd();
    split.x1 <== q8.xout;
    split.y1 <== q8.yout;
    split.x2 <== tor.out[0];
    split.y2 <== tor.out[1];
    split.xout === kx;
    split.yout === ky;
    signal t01 <== (1 - tSel[0]) * (1 - tSel[1]);
    signal noTorsion <== t01 * (1 - tSel[2]);
    component kxZero = IsZero();
    kxZero.in <== kx;
    signal keyOk <== noTorsion * (1 - kxZero.out);

    // --- the signature: by leaf 1's key (the new key for open), replaced by B8 when there is no
    // usable key (the result is then discarded); R8 replaced by the identity when off the curve
    signal Kx <== ax1 + isO * (kx - ax1);
    signal Ky <== ay1 + isO * (ky - ay1);
    signal usable <== open1 + isO * (keyOk - open1);
    signal SKx <== 5299619240641551281634865583518297030282874472190772894086521144482721001553 + usable * (Kx - 5299619240641551281634865583518297030282874472190772894086521144482721001553);
    signal SKy <== 16950150798460657717958625567821834550301663161624707787222815936182638968203 + usable * (Ky - 16950150798460657717958625567821834550301663161624707787222815936182638968203);
    component rxLt = LeqConst256(21888242871839275222246405745257275088548364400416034343698204186575808495616);
    component ryLt = LeqConst256(21888242871839275222246405745257275088548364400416034343698204186575808495616);
    component sLt = LeqConst256(2736030358979909402780800718157159386076813972158567259200215660948447373040);
    for (var i = 0; i < 256; i++) {
        rxLt.in[i] <== rxBit[i];
        ryLt.in[i] <== ryBit[i];
        sLt.in[i] <== sBit[i];
    }
    component r8On = OnCurveBit();
    r8On.x <== R8x;
    r8On.y <== R8y;
    signal r8InField <== rxLt.out * ryLt.out;
    signal r8Ok <== r8InField * r8On.out;
    signal R8xs <== r8Ok * R8x;
    signal R8ys <== 1 + r8Ok * (R8y - 1);
    // M = Poseidon(app, op, chainId, nonce, a, b, c) (§2.2): (idx, A, amount), open (idx, ax, ay)
    signal kyTerm <== isO * ky;
    component msg = Poseidon(7);
    msg.inputs[0] <== 3;
    msg.inputs[1] <== op;
    msg.inputs[2] <== chainId;
    msg.inputs[3] <== nonce;
    msg.inputs[4] <== idx;
    msg.inputs[5] <== A;
    msg.inputs[6] <== amount + kyTerm;
    component sig = EdDSAPoseidonBit();
    sig.Ax <== SKx;
    sig.Ay <== SKy;
    sig.R8x <== R8xs;
    sig.R8y <== R8ys;
    for (var i = 0; i < 253; i++) sig.sBits[i] <== sBit[i];
    sig.sOk <== sLt.out;
    sig.M <== msg.out;
    signal sigOk <== sig.ok * usable;

    // --- the nonce (an open's is 0: its leaf is empty, nonce1 = 0)
    component nonceEq = IsEqual();
    nonceEq.in[0] <== nonce;
    nonceEq.in[1] <== nonce1;

    // --- leaf 1's balance: debit (transfer, withdraw: ok iff amount ≤ bal1) or credit (deposit:
    // ok iff bal1 + amount < 2^128); x1 < 2^129 and its bit 128 decides
    signal debit <== isT + isW;
    signal debitAmount <== debit * amount;
    component x1 = Num2Bits(129);
    x1.in <== bal1 + (1 << 128) * debit + amount - 2 * debitAmount;
    signal c1d <== debit * x1.out[128];
    signal bal1Ok <== 1 - debit - x1.out[128] + 2 * c1d;
    signal newBal1 <== bal1 + (1 << 128) * debit + amount - 2 * debitAmount - (1 << 128) * x1.out[128];

    // --- a deposit's address: its low 18 bytes = the low 18 bytes of Poseidon(ax1, ay1) (§2.2)
    component addrHash = Poseidon(2);
    addrHash.inputs[0] <== ax1;
    addrHash.inputs[1] <== ay1;
    component addrBits = Num2Bits_strict();
    addrBits.in <== addrHash.out;
    var lowH = 0;
    var lowA = 0;
    for (var i = 0; i < 144; i++) {
        lowH += addrBits.out[i] * (1 << i);
        lowA += aBit[i] * (1 << i);
    }
    component addrEq = IsZero();
    addrEq.in <== lowH - lowA;

    // --- leaf 2, the transfer's recipient (to = A's low 16 bits): open, and no overflow, unless it
    // is the sender (then the credit undoes the debit); its value is the same in root and in mid
    var i1 = 0;
    var i2 = 0;
    for (var k = 0; k < 16; k++) {
        i1 += b1[k] * (1 << k);
        i2 += aBit[k] * (1 << k);
    }
    component same = IsZero();
    same.in <== i1 - i2;
    component closed2 = IsZero();
    closed2.in <== ax2;
    component x2 = Num2Bits(129);
    x2.in <== bal2 + amount;
    signal recvFits <== (1 - closed2.out) * (1 - x2.out[128]);
    signal recvOk <== same.out + (1 - same.out) * recvFits;

    // --- acceptance (§2.2; the flags are exclusive, so the sum is a bit)
    signal common <== sigOk * nonceEq.out;
    signal tOk <== isT * recvOk;
    signal twOpen <== (tOk + isW) * open1;
    signal twBal <== twOpen * bal1Ok;
    signal accTW <== twBal * common;
    signal oFree <== isO * closed1.out;
    signal oKey <== oFree * keyOk;
    signal accO <== oKey * common;
    signal dOpen <== isD * open1;
    signal dAddr <== dOpen * addrEq.out;
    signal accD <== dAddr * bal1Ok;
    accepted <== accTW + accO + accD;

    // --- the updates: leaf 1 (debit / credit and nonce + 1, or the new key), then leaf 2 (credit)
    component newLeaf1 = Leaf();
    newLeaf1.ax <== Kx;
    newLeaf1.ay <== Ky;
    newLeaf1.bal <== newBal1;
    newLeaf1.nonce <== nonce1 + isT + isW + isO;
    signal leaf1 <== oldLeaf1.out + accepted * (newLeaf1.out - oldLeaf1.out);
    component midRoot = MerkleRoot(D);
    midRoot.leaf <== leaf1;
    for (var k = 0; k < D; k++) {
        midRoot.bits[k] <== b1[k];
        midRoot.path[k] <== path1[k];
    }
    component oldLeaf2 = Leaf();
    oldLeaf2.ax <== ax2;
    oldLeaf2.ay <== ay2;
    oldLeaf2.bal <== bal2;
    oldLeaf2.nonce <== nonce2;
    component oldRoot2 = MerkleRoot(D);
    oldRoot2.leaf <== oldLeaf2.out;
    for (var k = 0; k < D; k++) {
        oldRoot2.bits[k] <== aBit[k];
        oldRoot2.path[k] <== path2[k];
    }
    oldRoot2.root === midRoot.root;
    component newLeaf2 = Leaf();
    newLeaf2.ax <== ax2;
    newLeaf2.ay <== ay2;
    newLeaf2.bal <== bal2 + amount;
    newLeaf2.nonce <== nonce2;
    signal credit <== accepted * isT;
    signal leaf2 <== oldLeaf2.out + credit * (newLeaf2.out - oldLeaf2.out);
    component newRoot2 = MerkleRoot(D);
    newRoot2.leaf <== leaf2;
    for (var k = 0; k < D; k++) {
        newRoot2.bits[k] <== aBit[k];
        newRoot2.path[k] <== path2[k];
    }
    next <== newRoot2.root;
}

// the number of 31-byte words of T records of 160 bytes (§5: recordWords)
function recordWordCount(T) {
    return (160 * T + 30) \ 31;
}

template ZTokenChunk(T, D) {
    var K = recordWordCount(T);
    signal input preRoot;
    signal input postRoot;
    signal input recordWords[K];
    signal input acceptedMask;
    signal input chainId;
    signal input rec[T][1280];
    signal input opFlag[T][5];
    signal input ax1[T];
    signal input ay1[T];
    signal input bal1[T];
    signal input nonce1[T];
    signal input path1[T][D];
    signal input ax2[T];
    signal input ay2[T];
    signal input bal2[T];
    signal input nonce2[T];
    signal input path2[T][D];
    signal input ky[T];
    signal input Qx[T];
    signal input Qy[T];
    signal input tSel[T][3];

    component slot[T];
    signal roots[T + 1];
    roots[0] <== preRoot;
    var mask = 0;
    for (var t = 0; t < T; t++) {
        slot[t] = Slot(D);
        slot[t].root <== roots[t];
        slot[t].chainId <== chainId;
        for (var i = 0; i < 1280; i++) slot[t].rec[i] <== rec[t][i];
        for (var k = 0; k < 5; k++) slot[t].opFlag[k] <== opFlag[t][k];
        slot[t].ax1 <== ax1[t];
        slot[t].ay1 <== ay1[t];
        slot[t].bal1 <== bal1[t];
        slot[t].nonce1 <== nonce1[t];
        slot[t].ax2 <== ax2[t];
        slot[t].ay2 <== ay2[t];
        slot[t].bal2 <== bal2[t];
        slot[t].nonce2 <== nonce2[t];
        for (var k = 0; k < D; k++) {
            slot[t].path1[k] <== path1[t][k];
            slot[t].path2[k] <== path2[t][k];
        }
        slot[t].ky <== ky[t];
        slot[t].Qx <== Qx[t];
        slot[t].Qy <== Qy[t];
        for (var k = 0; k < 3; k++) slot[t].tSel[k] <== tSel[t][k];
        roots[t + 1] <== slot[t].next;
        mask += slot[t].accepted * (1 << t);
    }
    postRoot === roots[T];
    acceptedMask === mask;
    // recordWords: bit b of the record stream (byte b \ 8, most significant bit first) has weight
    // 2^(247 - b % 248) in word b \ 248; the bits are 0/1 (Slot), so each word < 2^248 < p fixes them
    for (var w = 0; w < K; w++) {
        var word = 0;
        for (var b = 248 * w; b < 248 * w + 248 && b < 1280 * T; b++)
            word += rec[b \ 1280][b % 1280] * (1 << (247 - (b - 248 * w)));
        recordWords[w] === word;
    }
}
