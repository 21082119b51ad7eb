// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// Test contract for blob transactions (src/da/l1-blob/blob-tx.test.ts): records the versioned hashes of the
/// blobs of the transaction that calls `record`, like the inbox's blob batch branch (docs/blob.md §2).
contract TestBlobHashes {
    bytes32[] public hashes;

    event BlobHashes(bytes32[] hashes);

    function record() external {
        delete hashes;
        for (uint256 i = 0;; i++) {
            bytes32 h = blobhash(i);
            if (h == bytes32(0)) break;
            hashes.push(h);
        }
        emit BlobHashes(hashes);
    }

    function count() external view returns (uint256) {
        return hashes.length;
    }
}
