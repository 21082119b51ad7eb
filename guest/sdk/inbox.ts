// Reads the whole current inbox message (the one at inbox position u64[0]) in 32-byte chunks.
import { alloc32, Bytes } from "./bytes";
import { inbox_read } from "./host";

export function readMessage(): Bytes {
  let cap: i32 = 1024;
  let buf = alloc32(cap);
  let len: i32 = 0;
  for (;;) {
    if (len + 32 > cap) {
      const bigger = alloc32(cap * 2);
      memory.copy(bigger, buf, <usize>len);
      buf = bigger;
      cap *= 2;
    }
    const n = inbox_read(len, buf + <usize>len);
    len += n;
    if (n < 32) break;
  }
  return new Bytes(buf, len);
}
