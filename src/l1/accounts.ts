/** anvil's default dev accounts: derived from the well-known test mnemonic, funded with 10000 ETH each. */
import type { Hex } from 'viem';
import {
  type HDAccount,
  mnemonicToAccount,
  type PrivateKeyAccount,
  privateKeyToAccount,
} from 'viem/accounts';
import { bytesToHex } from 'viem/utils';

export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

export interface DevAccount {
  address: Hex;
  privateKey: Hex;
  account: PrivateKeyAccount;
}

/** The first `count` accounts of anvil's default mnemonic (index 0 is the deployer by convention). */
export function devAccounts(count = 10): DevAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const hd: HDAccount = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i });
    const key = hd.getHdKey().privateKey;
    if (!key) throw new Error('unreachable: HD key without private key');
    const privateKey = bytesToHex(key);
    return { address: hd.address, privateKey, account: privateKeyToAccount(privateKey) };
  });
}

/** Accounts for explicit private keys (external RPC with its own funded keys). */
export function accountsFromKeys(keys: Hex[]): DevAccount[] {
  return keys.map((privateKey) => {
    const account = privateKeyToAccount(privateKey);
    return { address: account.address, privateKey, account };
  });
}
