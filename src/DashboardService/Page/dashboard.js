// The l2pay dashboard page: renders the snapshots the server pushes on /events (server-sent events). Read-only.
// Every upstream string is set with textContent, never as HTML.
'use strict';

(function () {
  const state = { snapshot: null, search: '', scope: '' };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c === null || c === undefined ? '' : String(c)));
    return node;
  }

  function units(text) {
    if (text === null || text === undefined || text === '') return '–';
    try { return BigInt(text).toLocaleString('en-GB'); } catch { return String(text); }
  }

  function short(hex) {
    if (!hex) return '–';
    return hex.length > 14 ? hex.slice(0, 8) + '…' + hex.slice(-4) : hex;
  }

  function time(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  }

  function unixTime(seconds) {
    return seconds ? time(new Date(Number(seconds) * 1000).toISOString()) : '–';
  }

  function fill(tableId, rows) {
    const body = document.querySelector('#' + tableId + ' tbody');
    body.replaceChildren(...rows);
  }

  function td(value, cls, title) { return el('td', { class: cls, title: title }, value); }

  function renderSources(s) {
    const items = Object.entries(s.sources || {}).map(([name, src]) =>
      el('li', { class: 'badge ' + (src.ok ? 'ok' : 'bad'), 'data-source': name, title: src.error || src.url },
        name + (src.ok ? ' ✓' : src.stale ? ' ✗ (last answer shown)' : ' ✗')));
    document.getElementById('sources').replaceChildren(...items);
    document.getElementById('updated').textContent = 'updated ' + time(s.at);
  }

  function renderMerchant(s) {
    const m = s.merchant || {};
    document.getElementById('merchant-payee').textContent = m.payee || '–';
    document.getElementById('vouchers-accepted').textContent = m.vouchersAccepted === null || m.vouchersAccepted === undefined ? '0' : Number(m.vouchersAccepted).toLocaleString('en-GB');
    document.getElementById('vouchers-per-second').textContent = m.vouchersPerSecond === null || m.vouchersPerSecond === undefined ? '–' : Number(m.vouchersPerSecond).toFixed(1);
    document.getElementById('value-per-minute').textContent = units(m.valuePerMinute);
    document.getElementById('streams').textContent = m.streams === null || m.streams === undefined ? '–' : String(m.streams);
  }

  function matches(c) {
    const q = state.search.trim().toLowerCase();
    return !q || (c.channelId || '').toLowerCase().includes(q) || (c.payer || '').toLowerCase().includes(q);
  }

  function renderChannels(s) {
    const channels = s.channels || [];
    const rows = channels.filter(matches).map(c => {
      const stateText = c.state === 'closing' ? 'closing until ' + unixTime(c.closeDeadline) : (c.state || '–');
      const flags = (c.flags || []).map(f => f.rule + (f.refused ? ' (refused)' : '')).join(', ');
      return el('tr', { 'data-channel-id': c.channelId, 'data-payer': c.payer, 'data-state': c.state },
        td(short(c.channelId), 'mono', c.channelId),
        td(short(c.payer), 'mono', c.payer),
        td(stateText, 'state state-' + (c.state || 'unknown')),
        td(units(c.deposit), 'num deposit'),
        td(units(c.paid), 'num paid'),
        td(units(c.remaining), 'num remaining'),
        td(c.vouchersPerSecond === null || c.vouchersPerSecond === undefined ? '–' : Number(c.vouchersPerSecond).toFixed(1), 'num vouchers-per-second'),
        td(units(c.valuePerMinute), 'num'),
        td(time(c.lastVoucherAt), 'last-voucher'),
        td(flags || '–', flags ? 'flags warn' : 'flags'));
    });
    fill('channels', rows);
    document.getElementById('channels-empty').classList.toggle('hidden', channels.length > 0);

    const scope = document.getElementById('chart-scope');
    const wanted = [''].concat(channels.map(c => c.channelId));
    const have = Array.from(scope.options).map(o => o.value);
    if (wanted.join() !== have.join()) {
      scope.replaceChildren(el('option', { value: '' }, 'merchant (all channels)'),
        ...channels.map(c => el('option', { value: c.channelId }, 'channel ' + short(c.channelId) + ' (payer ' + short(c.payer) + ')')));
      scope.value = wanted.includes(state.scope) ? state.scope : '';
    }
  }

  function renderReceipts(s) {
    fill('receipts', (s.receipts || []).map(r => el('tr', { 'data-payer': r.payer },
      td(short(r.payer), 'mono', r.payer), td(short(r.channelId), 'mono', r.channelId),
      td(units(r.cumulativeAmount), 'num'), td(unixTime(r.issuedAt)))));
  }

  function renderLedger(s) {
    const ledger = s.ledger || {};
    const journal = ledger.journal;
    const badge = document.getElementById('journal');
    if (journal) {
      badge.textContent = journal.ok ? 'journal intact (' + journal.entries + ' entries)' : 'journal BROKEN: ' + (journal.problem || '');
      badge.className = 'badge ' + (journal.ok ? 'ok' : 'bad');
      badge.title = journal.headHash || '';
    } else {
      badge.textContent = 'journal: ' + (ledger.error || 'not configured');
      badge.className = 'badge';
    }
    fill('accounts', (ledger.accounts || []).map(a => {
      let balance = '–';
      try { balance = (BigInt(a.creditsPosted) - BigInt(a.debitsPosted)).toLocaleString('en-GB'); } catch { /* left as – */ }
      return el('tr', { 'data-account-id': a.id },
        td(short(a.id), 'mono', a.id), td(a.asset || ('ledger ' + a.ledger)), td(a.codeName || String(a.code)),
        td(balance, 'num'), td(units(a.debitsPending), 'num'), td(units(a.creditsPending), 'num'));
    }));
  }

  function renderFlows(s) {
    const flows = (s.flows && s.flows.items) || [];
    fill('flows', flows.map(f => el('tr', { 'data-flow-id': f.id, 'data-kind': f.kind },
      td(short(f.id), 'mono', f.id), td(f.kind), td(f.state),
      td(f.merchant ? f.merchant + ' ' + (f.amountPence !== undefined ? (f.amountPence / 100).toFixed(2) + ' GBP' : '') : (f.amountPence !== undefined ? (f.amountPence / 100).toFixed(2) + ' GBP' : '–')),
      td(f.needsAttention ? (f.problem || 'needs attention') : '–', f.needsAttention ? 'bad' : ''),
      td(time(f.updatedAt)))));
  }

  function renderReconciliation(s) {
    const r = s.reconciliation || {};
    const count = document.getElementById('break-count');
    const breaks = r.breaks || [];
    if (r.available) {
      count.textContent = breaks.length === 0 ? 'no breaks' : breaks.length + (breaks.length === 1 ? ' break' : ' breaks');
      count.className = 'badge ' + (breaks.length === 0 ? 'ok' : 'bad');
    } else {
      count.textContent = r.error || 'not configured';
      count.className = 'badge';
    }
    document.getElementById('pairings').replaceChildren(...(r.pairings || []).map(p =>
      el('li', {}, p.name + ' (' + (p.asset || 'all assets') + '): ' + p.matches + ' matched, ' + p.breaks + ' breaks')));
    fill('breaks', breaks.map(b => el('tr', { 'data-reason': b.reason },
      td(b.pairing || 'unassigned'), td(b.reason, 'reason'), td(b.detail, 'detail'), td(units(b.difference), 'num'),
      td((b.records || []).map(x => x.source + ' ' + x.kind + ' ' + units(x.amount) + ' ' + x.asset + (x.reference ? ' ref ' + x.reference : '')).join('; ')))));
  }

  function renderWatchtower(s) {
    const w = s.watchtower;
    const guarded = document.getElementById('guarded');
    guarded.textContent = w ? (w.guarded ?? '–') + ' guarded, ' + (w.closing ?? '–') + ' closing' : 'not configured';
    fill('alerts', ((w && w.alerts) || []).map(a => el('tr', { 'data-alert': a.kind },
      td(short(a.channelId), 'mono', a.channelId), td(a.kind, 'bad'), td(units(a.amount), 'num'),
      td(unixTime(a.deadline)), td(a.detail), td(time(a.raisedAt)))));
    fill('disputes', ((w && w.disputes) || []).map(d => el('tr', { 'data-channel-id': d.channelId },
      td(short(d.channelId), 'mono', d.channelId), td(units(d.cumulativeAmount), 'num'), td(unixTime(d.closeDeadline)),
      td(d.redeem ? short(d.redeem.transactionHash) + ' (' + units(d.redeem.amount) + ')' : '–', 'mono', d.redeem && d.redeem.transactionHash),
      td(d.settle ? short(d.settle.transactionHash) : '–', 'mono', d.settle && d.settle.transactionHash),
      td(d.finished ? 'yes' : 'no'))));
  }

  function renderChart(s) {
    const svg = document.getElementById('chart');
    const ns = 'http://www.w3.org/2000/svg';
    const series = s.series || {};
    const points = state.scope ? ((series.channels || {})[state.scope] || []) : (series.merchant || []);
    const width = 800, height = 180, pad = 6;
    const lines = [];
    const draw = (key, colour) => {
      const values = points.map(p => (p[key] === null || p[key] === undefined) ? null : Number(p[key]));
      const max = Math.max(1, ...values.filter(v => v !== null));
      const step = points.length > 1 ? (width - 2 * pad) / (points.length - 1) : 0;
      const coords = values.map((v, i) => v === null ? null : (pad + i * step).toFixed(1) + ',' + (height - pad - (v / max) * (height - 2 * pad)).toFixed(1)).filter(c => c !== null);
      if (coords.length === 0) return;
      const line = document.createElementNS(ns, 'polyline');
      line.setAttribute('points', coords.join(' '));
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke', colour);
      line.setAttribute('stroke-width', '2');
      line.setAttribute('data-series', key);
      lines.push(line);
      const label = document.createElementNS(ns, 'text');
      label.setAttribute('x', String(width - pad));
      label.setAttribute('y', key === 'vouchersPerSecond' ? '16' : '32');
      label.setAttribute('text-anchor', 'end');
      label.setAttribute('font-size', '12');
      label.setAttribute('fill', colour);
      label.textContent = 'max ' + max.toLocaleString('en-GB');
      lines.push(label);
    };
    draw('vouchersPerSecond', '#2f6fdf');
    draw('valuePerMinute', '#e07b1a');
    svg.replaceChildren(...lines);
  }

  function render() {
    const s = state.snapshot;
    if (!s) return;
    renderSources(s);
    renderMerchant(s);
    renderChannels(s);
    renderReceipts(s);
    renderLedger(s);
    renderFlows(s);
    renderReconciliation(s);
    renderWatchtower(s);
    renderChart(s);
  }

  function connect() {
    const badge = document.getElementById('connection');
    const events = new EventSource('/events');
    events.addEventListener('open', () => { badge.textContent = 'live'; badge.className = 'badge ok'; });
    events.addEventListener('snapshot', e => {
      state.snapshot = JSON.parse(e.data);
      document.body.setAttribute('data-snapshot', e.lastEventId);
      render();
    });
    events.addEventListener('error', () => { badge.textContent = 'reconnecting…'; badge.className = 'badge warn'; });
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('search').addEventListener('input', e => { state.search = e.target.value; render(); });
    document.getElementById('chart-scope').addEventListener('change', e => { state.scope = e.target.value; render(); });
    connect();
  });
})();
