// The ztoken batch circuit for T = 2 transfers over the depth-16 account tree (docs/validity.md §3).
pragma circom 2.1.0;

include "ztoken.circom";

component main {public [preRoot, postRoot, batchHash, chainId]} = ZTokenBatch(2, 16);
