pragma circom 2.1.0;
// A circuit circom refuses (a syntax error), for src/zk/compile.test.ts.
template T() { signal input a; signal output b; b <== a * ; }
component main = T();
