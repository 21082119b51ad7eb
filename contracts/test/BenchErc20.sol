// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// A plain ERC-20 for `modex bench evm` (issue 16): the workload both EVMs run, the modex EVM guest
/// and the reference EVM of the bench. The constructor gives `perHolder` tokens to each of `holders`.
contract BenchErc20 {
    string public constant name = "Bench";
    string public constant symbol = "BNCH";
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    error InsufficientBalance(uint256 balance, uint256 needed);
    error InsufficientAllowance(uint256 allowance, uint256 needed);

    constructor(address[] memory holders, uint256 perHolder) {
        for (uint256 i = 0; i < holders.length; i++) {
            balanceOf[holders[i]] = perHolder;
            emit Transfer(address(0), holders[i], perHolder);
        }
        totalSupply = perHolder * holders.length;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 a = allowance[from][msg.sender];
        if (a != type(uint256).max) {
            if (a < value) revert InsufficientAllowance(a, value);
            allowance[from][msg.sender] = a - value;
        }
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private {
        uint256 b = balanceOf[from];
        if (b < value) revert InsufficientBalance(b, value);
        unchecked {
            balanceOf[from] = b - value;
        }
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
