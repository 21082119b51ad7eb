// The modex explorer page (docs/explorer.md): preact + htm, served by the node with the page.
// It polls the node's JSON-RPC (POST ./, one batch per second): the L2 blocks from the sequencer,
// and batches, the inbox, assertions, disputes and the committee from the L1 contracts' events.
import htm from 'htm';
import { h, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const html = htm.bind(h);
const POLL_MS = 1000;
const BLOCKS = 20;
const ZERO = '0x0000000000000000000000000000000000000000';

/** One JSON-RPC batch: [[method, params], ...] -> [{ value } | { error }, ...] */
async function rpc(calls) {
  const body = calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params: params ?? [] }));
  const r = await fetch('./', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  const out = await r.json();
  const byId = new Map((Array.isArray(out) ? out : [out]).map((x) => [x.id, x]));
  return calls.map((_, i) => {
    const x = byId.get(i);
    if (!x) return { error: 'no answer' };
    return x.error ? { error: x.error.message } : { value: x.result };
  });
}

async function poll(prev) {
  const [settlement, head, names, batches, inbox, assertions, disputes, committee] = await rpc([
    ['modex_getSettlement'],
    ['modex_blockNumber'],
    ['modex_receiptNames'],
    ['modex_getBatches', [null, 25]],
    ['modex_getInbox', [null, 25]],
    ['modex_getAssertions', [null, 30]],
    ['modex_getDisputes'],
    ['modex_getCommittee'],
  ]);
  let blocks = prev.blocks ?? { value: [] };
  if (head.value !== undefined && head.value >= 0) {
    const calls = [];
    for (let n = head.value; n >= 0 && n > head.value - BLOCKS; n--) calls.push(['modex_getBlock', [n]]);
    const got = await rpc(calls);
    const err = got.find((x) => x.error);
    blocks = err ? { error: err.error } : { value: got.map((x) => x.value).filter(Boolean) };
  }
  return { settlement, head, names, batches, inbox, assertions, disputes, committee, blocks, at: Date.now() };
}

// ------------------------------------------------------------------ formatting

const short = (h) => (typeof h === 'string' && h.length > 14 ? `${h.slice(0, 8)}…${h.slice(-4)}` : String(h));
const num = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'));
const bytes = (n) =>
  n === null || n === undefined ? '–' : n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`;
function eth(wei) {
  const w = BigInt(wei ?? 0);
  const whole = w / 10n ** 18n;
  const frac = (w % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '').slice(0, 4);
  return `${whole}${frac ? `.${frac}` : ''} ETH`;
}
function ago(t, now) {
  if (t === null || t === undefined || now === undefined) return '';
  const s = now - t;
  if (s < 0) return `in ${dur(-s)}`;
  return s === 0 ? 'now' : `${dur(s)} ago`;
}
function dur(s) {
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}
/** transactions of L2 block n, when the page has it (blob and certificate batches carry none on L1) */
const txCountOf = (s, n) => s.blocks.value?.find((b) => b.number === n)?.txCount ?? null;
/** `blocks a–b` of an assertion (or `block a`) */
const range = (a) =>
  a.toPosition - a.fromPosition === 1
    ? `block ${a.fromPosition}`
    : `blocks ${a.fromPosition}–${a.toPosition - 1}`;
/** a server text with the addresses it shortens (0x1234…abcd) replaced by their labels */
function named(text, labels) {
  let t = text;
  for (const [a, l] of labels) t = t.replaceAll(`${a.slice(0, 6)}…${a.slice(-4)}`, l);
  return t;
}
function hue(addr) {
  let x = 0;
  for (const c of addr ?? '') x = (x * 31 + c.charCodeAt(0)) % 360;
  return x;
}

/** Names for addresses: the sequencer, then asserters in the order they first asserted. */
function labelsOf(s) {
  const labels = new Map();
  const v = s.settlement.value;
  if (v) {
    labels.set(v.sequencer, 'sequencer');
    for (const [name, a] of Object.entries(v.contracts)) labels.set(a.toLowerCase(), name);
  }
  let i = 0;
  for (const a of s.assertions.value?.items ?? []) {
    if (a.asserter === ZERO || labels.has(a.asserter)) continue;
    labels.set(a.asserter, `asserter ${String.fromCharCode(65 + i++)}`);
  }
  return labels;
}

// ------------------------------------------------------------------ components

const Hash = ({ h: x }) => html`<code class="hash" title=${x}>${short(x)}</code>`;
const Addr = ({ a, labels }) =>
  html`<span class="addr" style=${`--h:${hue(a)}`} title=${a}>${labels?.get(a) ?? short(a)}</span>`;
const Badge = ({ kind, children }) => html`<span class=${`badge ${kind}`}>${children}</span>`;

function Section({ id, title, count, err, children }) {
  return html`<section id=${id} data-test=${id}>
    <h2>${title}${count !== undefined ? html` <span class="count">${count}</span>` : ''}</h2>
    ${err ? html`<p class="error">${err}</p>` : children}
  </section>`;
}

function Blocks({ s }) {
  const names = s.names.value ?? [];
  const blocks = s.blocks.value ?? [];
  const status = (c) => names[c] || `status_${c}`;
  return html`<${Section} id="blocks" title="L2 blocks" count=${s.head.value + 1} err=${s.blocks.error}>
    ${
      blocks.length === 0
        ? html`<p class="empty">no block yet</p>`
        : html`<table>
            <thead><tr><th>#</th><th>kind</th><th>transactions (receipt)</th><th>state root</th><th>sealed</th></tr></thead>
            <tbody>
              ${blocks.map(
                (b) => html`<tr data-test="block" key=${b.number}>
                  <td class="num">${b.number}</td>
                  <td>${b.kind === 'delayed' ? html`<${Badge} kind="delayed">delayed #${b.delayedIndex}<//>` : 'batch'}</td>
                  <td class="txs">
                    ${b.txCount === 0 ? html`<span class="dim">${b.kind === 'delayed' ? 'L1 message' : 'empty'}</span>` : ''}
                    ${b.txHashes.slice(0, 6).map(
                      (t, i) => html`<span class="tx" data-test="tx" key=${t}>
                        <${Hash} h=${t} /> <span class=${`rcpt ${b.receipts[i] === 0 ? 'ok' : 'bad'}`}>${status(b.receipts[i])}</span>
                      </span>`,
                    )}
                    ${b.txHashes.length > 6 ? html`<span class="dim">+${b.txHashes.length - 6} more</span>` : ''}
                  </td>
                  <td><${Hash} h=${b.stateRoot} /></td>
                  <td class="dim">${new Date(b.sealedAt).toLocaleTimeString()}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
    }
  <//>`;
}

function Batches({ s, now }) {
  const v = s.batches.value;
  const items = [...(v?.items ?? [])].reverse();
  return html`<${Section} id="batches" title="Batches on L1" count=${v?.total} err=${s.batches.error}>
    ${
      items.length === 0
        ? html`<p class="empty">no batch yet</p>`
        : html`<table>
            <thead><tr><th>seq</th><th>block</th><th>DA</th><th>size</th><th>txs</th><th>L1 gas</th><th>L1 tx</th></tr></thead>
            <tbody>
              ${items.map(
                (b) => html`<tr key=${b.sequenceNumber} data-test="batch">
                  <td class="num">${b.sequenceNumber}</td>
                  <td class="num">${b.position}</td>
                  <td>
                    <${Badge} kind=${b.daPath}>${b.daPath}<//>${b.fallback ? html` <${Badge} kind="warn">fallback<//>` : ''}
                    ${b.blobHashes.map((x) => html`<div class="sub">blob <${Hash} h=${x} /></div>`)}
                    ${b.certificate ? html`<div class="sub">data <${Hash} h=${b.certificate.dataHash} /> · ${b.certificate.nonSigners} non-signers</div>` : ''}
                  </td>
                  <td>
                    ${b.daPath === 'blob' ? html`<span class="dim">in blobs</span>` : bytes(b.payloadBytes)}
                    ${
                      b.compression === 'brotli' && b.txListBytes
                        ? html`<div class="sub">brotli from ${bytes(b.txListBytes)} (${Math.round((100 * b.payloadBytes) / b.txListBytes)}%)</div>`
                        : ''
                    }
                  </td>
                  <td class="num">${num(b.txCount ?? txCountOf(s, b.position))}</td>
                  <td class="num">${num(b.gasUsed)}</td>
                  <td><${Hash} h=${b.txHash} /><div class="sub">block ${b.l1Block} · ${ago(b.l1Time, now)}</div></td>
                </tr>`,
              )}
            </tbody>
          </table>`
    }
  <//>`;
}

function Inbox({ s, now, labels }) {
  const v = s.inbox.value;
  const msgs = [...(v?.items ?? [])].reverse();
  const delayed = [...(v?.delayed.items ?? [])].reverse();
  return html`<${Section} id="inbox" title="L1 inbox" count=${v?.total} err=${s.inbox.error}>
    <h3>Delayed messages <span class="count">${v?.delayed.total ?? 0}</span>${
      v?.delayed.pending ? html` <${Badge} kind="warn">${v.delayed.pending} pending<//>` : ''
    }</h3>
    ${
      delayed.length === 0
        ? html`<p class="empty">none (deposits and forced transactions are sent to L1's delayed inbox)</p>`
        : html`<table>
            <thead><tr><th>#</th><th>message</th><th>from</th><th>sent</th><th>in the inbox</th></tr></thead>
            <tbody>
              ${delayed.map(
                (d) => html`<tr key=${d.index} data-test="delayed">
                  <td class="num">${d.index}</td>
                  <td>${d.kind}${d.deposit ? html`<div class="sub">${eth(d.deposit.amount)} to <${Hash} h=${d.deposit.to} /></div>` : ''}${
                    d.txCount !== null ? html`<div class="sub">${d.txCount} transactions</div>` : ''
                  }</td>
                  <td><${Addr} a=${d.sender} labels=${labels} /></td>
                  <td class="dim">${ago(d.sentAt, now)}</td>
                  <td>${
                    d.position === null
                      ? html`<${Badge} kind="warn">pending<//> <span class="sub">forceable ${ago(d.forceableAt, now)}</span>`
                      : html`position ${d.position}${d.forced ? html` <${Badge} kind="bad">forced<//>` : ''}`
                  }</td>
                </tr>`,
              )}
            </tbody>
          </table>`
    }
    <h3>Messages</h3>
    ${
      msgs.length === 0
        ? html`<p class="empty">empty</p>`
        : html`<table>
            <thead><tr><th>position</th><th>source</th><th>keccak</th><th>L1</th></tr></thead>
            <tbody>
              ${msgs.map(
                (m) => html`<tr key=${m.position}>
                  <td class="num">${m.position}</td>
                  <td>${m.source === 'batch' ? `batch ${m.sourceIndex}` : html`delayed ${m.sourceIndex}${m.forced ? html` <${Badge} kind="bad">forced<//>` : ''}`}</td>
                  <td><${Hash} h=${m.messageKeccak} /></td>
                  <td><${Hash} h=${m.txHash} /><div class="sub">${ago(m.l1Time, now)}</div></td>
                </tr>`,
              )}
            </tbody>
          </table>`
    }
  <//>`;
}

const STATUS_KIND = { confirmed: 'ok', pending: 'pending', rejected: 'bad' };

function Assertions({ s, now, labels }) {
  const v = s.assertions.value;
  const items = [...(v?.items ?? [])].reverse();
  return html`<${Section} id="assertions" title="Assertions" count=${v?.total} err=${s.assertions.error}>
    <table>
      <thead><tr><th>id</th><th>asserter</th><th>blocks</th><th>state root</th><th>status</th></tr></thead>
      <tbody>
        ${items.map(
          (a) => html`<tr key=${a.id} data-test="assertion" class=${a.disputed ? 'disputed' : ''}>
            <td><${Hash} h=${a.id} /></td>
            <td>${a.genesis ? html`<span class="dim">genesis</span>` : html`<${Addr} a=${a.asserter} labels=${labels} />`}</td>
            <td class="num">${a.genesis ? '–' : range(a).replace('blocks ', '').replace('block ', '')}</td>
            <td><${Hash} h=${a.stateRoot} /></td>
            <td>
              <${Badge} kind=${STATUS_KIND[a.status]}>${a.status}<//>
              ${a.disputed ? html` <${Badge} kind="bad">disputed<//>` : ''}
              <div class="sub">${
                a.status === 'confirmed'
                  ? a.confirmedBy === 'challenge'
                    ? 'by the challenge'
                    : a.genesis
                      ? ''
                      : 'after the challenge period'
                  : a.status === 'pending' && !a.disputed
                    ? `confirmable ${ago(a.challengeDeadline, now)}`
                    : ''
              }</div>
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
  <//>`;
}

function Dispute({ d, labels }) {
  const t0 = d.moves[0]?.l1Time ?? 0;
  const winner = d.rivals.find((r) => r.id === d.winner);
  return html`<article class="dispute" data-test="dispute">
    <header>
      <strong>Dispute over the successor of assertion <${Hash} h=${d.id} /></strong>
      ${d.status === 'open' ? html`<${Badge} kind="bad">open<//>` : html`<${Badge} kind="ok">decided<//>`}
      ${winner ? html` <span>won by <${Addr} a=${winner.asserter} labels=${labels} /></span>` : ''}
    </header>
    <div class="rivals">
      ${d.rivals.map(
        (r) => html`<div class=${`rival ${r.status}`}>
          <${Hash} h=${r.id} /> by <${Addr} a=${r.asserter} labels=${labels} /> · ${range(r)}${' '}
          <${Badge} kind=${STATUS_KIND[r.status]}>${r.status}<//>
        </div>`,
      )}
    </div>
    <h3>Moves <span class="count">${d.moves.length}</span></h3>
    <ol class="timeline">
      ${d.moves.map(
        (m) => html`<li data-test="move" key=${m.txHash} class=${m.actions.map((a) => a.kind).join(' ')}>
          <span class="t">+${m.l1Time - t0}s</span>
          <${Addr} a=${m.from} labels=${labels} />
          <span class="acts">${m.actions.map((a) => html`<span class=${`act ${a.kind}`}>${named(a.text, labels)}</span>`)}</span>
          <span class="gas">${num(m.gasUsed)} gas · <${Hash} h=${m.txHash} /></span>
        </li>`,
      )}
    </ol>
    ${
      d.oneStepProof
        ? html`<div class="osp" data-test="one-step-proof">
            <strong>One-step proof</strong>: ${`L1 executed step ${num(d.oneStepProof.step)} of block ${d.oneStepProof.block} `}
            ${`(level ${d.oneStepProof.level}) in one transaction: ${bytes(d.oneStepProof.calldataBytes)} of calldata, `}
            ${`${num(d.oneStepProof.gasUsed)} gas, sent by `}<${Addr} a=${d.oneStepProof.from} labels=${labels} />${' · '}
            <${Hash} h=${d.oneStepProof.txHash} />
          </div>`
        : html`<div class="osp pending">one-step proof: not yet (the parties bisect first)</div>`
    }
    <h3>Bonds</h3>
    <table class="bonds" data-test="bonds">
      <thead><tr><th>party</th><th>won</th><th>lost</th></tr></thead>
      <tbody>
        ${d.parties.map(
          (p) => html`<tr key=${p.address}>
            <td><${Addr} a=${p.address} labels=${labels} /></td>
            <td class=${p.won !== '0' ? 'won' : 'dim'}>${eth(p.won)}</td>
            <td class=${p.lost !== '0' ? 'lost' : 'dim'}>${eth(p.lost)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </article>`;
}

function Disputes({ s, labels }) {
  const v = s.disputes.value;
  const items = [...(v?.items ?? [])].reverse();
  return html`<${Section} id="disputes" title="Disputes" count=${v?.total} err=${s.disputes.error}>
    ${
      items.length === 0
        ? html`<p class="empty">no dispute: every assertion so far has no rival</p>`
        : items.map((d) => html`<${Dispute} key=${d.id} d=${d} labels=${labels} />`)
    }
  <//>`;
}

function Committee({ s }) {
  const c = s.committee.value;
  return html`<${Section} id="committee" title="Data availability" err=${s.committee.error}>
    ${
      c &&
      html`<p>
          DA module <${Badge} kind="calldata">${c.module}<//> · ${c.batches.total} batch${c.batches.total === 1 ? '' : 'es'}${
            c.module === 'committee'
              ? html`: ${c.batches.certificate} certified, ${c.batches.fallback} through the fallback (${c.fallback})`
              : ''
          }
        </p>
        ${
          c.module === 'committee'
            ? html`<p class="dim">
                  ${`${c.members.length} members, ${c.assumedHonest} assumed honest: a certificate needs `}
                  ${`${c.required} signatures within ${c.timeoutMs} ms`}${c.keysetHash ? html` · keyset <${Hash} h=${c.keysetHash} />` : ''}
                  ${c.latestNonSigners !== null ? ` · latest certificate: ${c.latestNonSigners} non-signers` : ''}
                </p>
                <table>
                  <thead><tr><th>member</th><th>key</th><th>health</th><th>latest certificate</th><th>stored</th><th>latency</th></tr></thead>
                  <tbody>
                    ${c.members.map(
                      (m) => html`<tr key=${m.url} data-test="member">
                        <td>${m.url}</td>
                        <td><${Hash} h=${m.keyHash} /></td>
                        <td>${
                          m.healthy
                            ? html`<${Badge} kind="ok">up<//>`
                            : html`<${Badge} kind="bad">${m.error ? 'down' : 'faulty'}<//> <span class="sub">${m.error ?? m.faults.join(', ')}</span>`
                        }</td>
                        <td>${m.signedLatest === null ? html`<span class="dim">–</span>` : m.signedLatest ? html`<${Badge} kind="ok">signed<//>` : html`<${Badge} kind="warn">missed<//>`}</td>
                        <td class="num">${num(m.stored)}</td>
                        <td class="num">${m.latencyMs === null ? '–' : `${m.latencyMs} ms`}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>`
            : html`<p class="dim">no committee: batches go to L1 ${c.module === 'l1-blob' ? 'as blobs' : 'as calldata'}</p>`
        }`
    }
  <//>`;
}

function Settlement({ s }) {
  const v = s.settlement.value;
  if (!v) return '';
  return html`<${Section} id="settlement" title="Settlement">
    <p class="dim">
      ${`challenge period ${v.params.challengePeriod}s · assertion bond ${eth(v.params.assertionBond)} · `}
      ${`edge bond ${eth(v.params.edgeBond)} · heights ${v.params.heights.join('/')} · `}
      ${`forced inclusion after ${v.params.maxDelaySeconds}s`}
    </p>
    <table>
      <tbody>
        ${Object.entries(v.contracts).map(([k, a]) => html`<tr key=${k}><td>${k}</td><td><code>${a}</code></td></tr>`)}
      </tbody>
    </table>
  <//>`;
}

function App() {
  const [s, setS] = useState(undefined);
  const [error, setError] = useState(undefined);
  useEffect(() => {
    let stop = false;
    let timer;
    let last = {};
    const tick = async () => {
      try {
        last = await poll(last);
        if (stop) return;
        setS(last);
        setError(undefined);
      } catch (e) {
        if (!stop) setError(String(e?.message ?? e));
      }
      if (!stop) timer = setTimeout(tick, POLL_MS);
    };
    tick();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, []);
  if (!s) return html`<p class="loading">${error ? `cannot reach the node: ${error}` : 'loading…'}</p>`;
  const v = s.settlement.value;
  const now = v?.l1Time;
  const labels = labelsOf(s);
  const open = (s.disputes.value?.items ?? []).filter((d) => d.status === 'open').length;
  return html`
    <header class="top">
      <h1>modex <span>explorer</span></h1>
      <div class="meta">
        ${v ? html`chain ${v.chainId} · L1 chain ${v.l1ChainId}, block ${v.l1Head} · DA ${v.modules.da} · proof ${v.modules.proof}` : ''}
      </div>
      <div class=${`live ${error ? 'down' : ''}`} data-test="live">${error ? `disconnected: ${error}` : 'live'}</div>
    </header>
    <nav class="stats">
      <a href="#blocks"><b>${num(s.head.value + 1)}</b> L2 blocks</a>
      <a href="#batches"><b>${num(s.batches.value?.total)}</b> batches</a>
      <a href="#inbox"><b>${num(s.inbox.value?.total)}</b> inbox messages</a>
      <a href="#assertions"><b>${num(s.assertions.value?.total)}</b> assertions</a>
      <a href="#disputes" class=${open ? 'alert' : ''}><b>${num(s.disputes.value?.total)}</b> disputes${open ? ` (${open} open)` : ''}</a>
    </nav>
    <main>
      <${Disputes} s=${s} labels=${labels} />
      <div class="cols">
        <${Blocks} s=${s} />
        <${Batches} s=${s} now=${now} />
      </div>
      <div class="cols">
        <${Assertions} s=${s} now=${now} labels=${labels} />
        <${Inbox} s=${s} now=${now} labels=${labels} />
      </div>
      <div class="cols">
        <${Committee} s=${s} />
        <${Settlement} s=${s} />
      </div>
    </main>
  `;
}

render(html`<${App} />`, document.getElementById('app'));
