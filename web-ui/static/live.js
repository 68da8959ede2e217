// Live progress: listens on the page's websocket and updates the figures
// within a moment of a kiosk's sync, reconnecting by itself with backoff.
// The same script drives the public project page (counts only) and the
// initiative group's live page (kiosks, days, projection).
(() => {
  'use strict';
  const root = document.getElementById('live');
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const status = $('live-status');
  let delay = 1000;

  function set(id, value) {
    const el = $(id);
    if (el) el.textContent = String(value);
  }

  function render(p) {
    set('live-signatures', p.signatures);
    set('live-required', p.required);
    set('live-percent', p.percent);
    set('live-residents', p.residents);
    const bar = $('live-bar');
    if (bar) { bar.max = Math.max(1, p.required); bar.value = Math.min(p.signatures, p.required); }
    if ('duplicates' in p) set('live-duplicates', p.duplicates);
    if ('pending' in p) set('live-pending', p.pending);
    if ('projected' in p) set('live-projected', p.projected ? p.projected.split('-').reverse().join('.') : '—');
    if (Array.isArray(p.kiosks)) renderKiosks(p.kiosks);
    if (Array.isArray(p.days)) renderDays(p.days);
  }

  function cell(text) {
    const td = document.createElement('td');
    td.textContent = text;
    return td;
  }

  function renderKiosks(kiosks) {
    const body = $('live-kiosks');
    if (!body) return;
    body.replaceChildren(...kiosks.map((k) => {
      const tr = document.createElement('tr');
      const seen = k.last_seen ? new Date(k.last_seen).toLocaleString(root.dataset.lang || 'ru') : '—';
      tr.append(cell(k.name), cell(k.counted), cell(k.pending), cell(seen));
      return tr;
    }));
  }

  function renderDays(days) {
    const chart = $('live-chart');
    if (!chart) return;
    const top = Math.max(1, ...days.map((d) => d.count));
    chart.replaceChildren(...days.slice(-30).map((d) => {
      const col = document.createElement('div');
      col.className = 'col';
      const bar = document.createElement('progress');
      bar.max = top;
      bar.value = d.count;
      bar.title = d.date + ': ' + d.count;
      const label = document.createElement('span');
      label.textContent = d.date.slice(8) + '.' + d.date.slice(5, 7);
      col.append(String(d.count), bar, label);
      return col;
    }));
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const ws = new WebSocket(scheme + location.host + root.dataset.socket);
    ws.onopen = () => { delay = 1000; if (status) status.textContent = status.dataset.msgUp; };
    ws.onmessage = (e) => {
      try { render(JSON.parse(e.data)); } catch (_) { /* a bad frame is skipped */ }
    };
    ws.onclose = () => {
      if (status) status.textContent = status.dataset.msgDown;
      // Exponential backoff with jitter, capped at 30 s.
      setTimeout(connect, delay / 2 + Math.random() * delay / 2);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
