pragma circom 2.1.0;
// Measurement circuit for src/zk (docs/validity.md §4): 40,000 squarings, so 40,001 constraints and a
// 2^16 domain, the size of a batch of two ztoken transfers. Used by test/zk/measure-2p16.ts.

template Squarings(N) {
    signal input a;
    signal input c;
    signal output out;
    signal sq[N + 1];
    sq[0] <== a;
    for (var i = 0; i < N; i++) {
        sq[i + 1] <== sq[i] * sq[i];
    }
    out <== sq[N] * c;
}

component main {public [c]} = Squarings(40000);
