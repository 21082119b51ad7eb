pragma circom 2.1.0;
// Test circuit for src/zk: out = a^(2^N) * b by N squarings, a and b private, c public (c === b + 1).
// A second, different circuit for the "proof for another circuit's key" tests.

template MultiplierChain(N) {
    signal input a;
    signal input b;
    signal input c;
    signal output out;
    signal sq[N + 1];
    sq[0] <== a;
    for (var i = 0; i < N; i++) {
        sq[i + 1] <== sq[i] * sq[i];
    }
    c === b + 1;
    out <== sq[N] * b;
}

component main {public [c]} = MultiplierChain(64);
