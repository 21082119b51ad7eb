// The ztoken chunk circuit for T = 2 records over the depth-16 account tree (docs/validity.md §3).
pragma circom 2.1.0;

include "ztoken.circom";

component main {public [preRoot, postRoot, recordWords, acceptedMask, chainId]} = ZTokenChunk(2, 16);
