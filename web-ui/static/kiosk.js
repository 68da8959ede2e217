// Sbor kiosk: the touch UI residents sign on. Plain JS, no build step.
// The page is one document with one <section class="screen"> per step;
// everything the resident enters lives only in these inputs and in `state`,
// and resetAll() wipes both before the next resident.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  // Every visible string comes from the server-side catalogues.
  const MESSAGES = JSON.parse($('messages').textContent || '{}');
  function t(key, vars) {
    let s = Object.prototype.hasOwnProperty.call(MESSAGES, key) ? MESSAGES[key] : key;
    for (const [k, v] of Object.entries(vars || {})) s = s.split('{' + k + '}').join(String(v));
    return s;
  }

  // The kiosk validated the setting; 90 s is its default.
  const IDLE_MS = (Number(document.body.dataset.idleSeconds) || 90) * 1000;
  const THANKS_MS = 15000;
  const REQUEST_MS = 20000;
  const STEPS = ['step-identity', 'step-residence', 'step-consent', 'step-signature', 'step-confirm'];
  // Where each refused field is entered, in the order the resident meets them.
  const FIELD_STEP = {
    full_name: 'step-identity', birth_date: 'step-identity', resident: 'step-residence',
    consent: 'step-consent', signature: 'step-signature',
  };
  const FIELD_INPUT = {
    full_name: 'full-name', birth_date: 'birth-date', resident: 'resident', consent: 'consent',
    signature: 'pad', pin: 'pin', collector: 'collector', clock: 'clock-now',
  };

  const state = {
    screen: 'loading',
    status: null,     // GET /api/status
    projects: [],     // GET /api/projects
    project: null,    // the project being signed
    strokes: [],      // signature: arrays of [x, y] in CSS pixels of the pad
    busy: false,      // a signature request is in flight
    gen: 0,           // bumped by resetAll so late answers cannot touch the next resident's screen
  };

  const el = {
    fullName: $('full-name'), birth: $('birth-date'), resident: $('resident'), consent: $('consent'),
    pad: $('pad'), submit: $('submit'), pin: $('pin'), collector: $('collector'),
    dialog: $('close-dialog'), qr: $('qr'), qrBox: $('qr-box'),
  };

  // ---- API --------------------------------------------------------------

  // api returns {status, data}; it throws only when the server cannot be
  // reached (or does not answer in time), which callers show as a network error.
  async function api(method, path, body) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), REQUEST_MS);
    try {
      const res = await fetch(path, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
        signal: ctl.signal,
      });
      let data = null;
      if (res.status !== 204) {
        try { data = await res.json(); } catch (_) { data = null; }
      }
      if (res.status === 403 && data && data.error === 'not_paired') notPaired();
      return { status: res.status, data: data || {} };
    } finally {
      clearTimeout(timer);
    }
  }

  // This tablet was unpaired (or never was): forget everything on screen
  // and reload, which brings the kiosk's "not connected" page.
  let leaving = false;
  function notPaired() {
    if (leaving) return;
    leaving = true;
    resetAll();
    location.reload();
  }

  // The server's message is already in the page language; the catalogue
  // is only a fallback for a body that lacks one.
  function errorText(data) {
    if (data && data.message) return data.message;
    if (data && data.error && MESSAGES['error.' + data.error]) return MESSAGES['error.' + data.error];
    return t('ui.err.unexpected');
  }

  async function loadStatus() {
    const r = await api('GET', '/api/status');
    if (r.status !== 200) throw new Error('status ' + r.status);
    state.status = r.data;
    renderSync();
  }

  async function loadProjects() {
    const r = await api('GET', '/api/projects');
    if (r.status !== 200 || !Array.isArray(r.data)) throw new Error('projects ' + r.status);
    state.projects = r.data;
    if (state.project) {
      state.project = state.projects.find((p) => p.id === state.project.id) || state.project;
    }
  }

  // ---- errors beside fields -------------------------------------------

  function setErr(field, text) {
    const box = $('err-' + field);
    if (box) box.textContent = text || '';
    const input = FIELD_INPUT[field] && $(FIELD_INPUT[field]);
    if (input) {
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }

  function clearErrs(fields) {
    for (const f of fields) setErr(f, '');
  }

  const ALL_ERRS = ['full_name', 'birth_date', 'resident', 'consent', 'signature', 'project', 'form',
    'pin', 'collector', 'clock', 'operator', 'close', 'loading', 'pairing', 'devices'];

  // ---- screens ----------------------------------------------------------

  function show(name, focusTarget) {
    state.screen = name;
    for (const s of document.querySelectorAll('.screen')) s.hidden = s.id !== name;
    const signing = STEPS.includes(name) || name === 'thanks';
    $('bar-title').textContent = signing && state.project ? state.project.name : t('ui.title');
    $('close-shift').hidden = name !== 'list';
    renderProgress();
    // replaceState, never pushState: the browser's Back must not lead to a
    // previous resident's form.
    history.replaceState({ screen: name }, '', location.pathname + location.search);
    if (name === 'step-signature') fitPad();
    armIdle();
    const target = focusTarget || document.querySelector('#' + name + ' h1');
    if (target) target.focus({ preventScroll: false });
  }

  function renderProgress() {
    const p = state.project;
    const visible = !!p && (STEPS.includes(state.screen) || state.screen === 'thanks');
    $('progress').hidden = !visible;
    if (!visible) return;
    $('progress-text').textContent = progressText(p);
    fillMeter($('progress-bar'), p.percent);
  }

  function progressText(p) {
    return t('ui.progress', { signatures: p.signatures, required: p.required, percent: p.percent });
  }

  // Setting style through the CSSOM is allowed under a CSP without
  // 'unsafe-inline', unlike a style attribute in the markup.
  function fillMeter(fill, percent) {
    const v = Math.max(0, Math.min(100, Number(percent) || 0));
    fill.style.width = v + '%';
    fill.classList.toggle('reached', v >= 100);
  }

  // ---- loading / start --------------------------------------------------

  async function start() {
    $('retry').hidden = true;
    setErr('loading', '');
    try {
      await loadStatus();
      if (state.status.shift) await loadProjects();
    } catch (_) {
      setErr('loading', t('ui.err.network'));
      $('retry').hidden = false;
      show('loading');
      return;
    }
    if (state.status.shift) showList();
    else showOperator();
  }

  // ---- operator screen --------------------------------------------------

  function showOperator(message) {
    renderOperator();
    show('operator');
    if (message) setErr('operator', message);
  }

  function renderOperator() {
    const st = state.status || {};
    const keep = el.collector.value;
    while (el.collector.options.length > 1) el.collector.remove(1);
    for (const c of st.collectors || []) el.collector.add(new Option(c.full_name, c.id));
    el.collector.value = (st.collectors || []).some((c) => c.id === keep) ? keep : '';
    if ((st.collectors || []).length === 1) el.collector.value = st.collectors[0].id;

    const clock = st.clock || {};
    const untrusted = clock.trusted === false;
    $('clock-box').hidden = !untrusted;
    $('operator').classList.toggle('with-clock', untrusted);
    if (untrusted) {
      $('clock-text').textContent = t('ui.clock.text', { now: showInstant(clock.now), build: showDate(clock.build_date) });
      // datetime-local gives exactly the YYYY-MM-DDTHH:MM the API wants.
      if (!$('clock-now').value && clock.now) $('clock-now').value = String(clock.now).slice(0, 16);
    }
  }

  function showDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
    return m ? m[3] + '.' + m[2] + '.' + m[1] : (iso || '');
  }

  // The instant is in the municipality's zone already; show its local part
  // as written rather than converting to the device's zone.
  function showInstant(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso || '');
    return m ? m[3] + '.' + m[2] + '.' + m[1] + ' ' + m[4] + ':' + m[5] : (iso || '');
  }

  async function openShift() {
    clearErrs(['collector', 'pin', 'operator', 'clock']);
    let bad = false;
    if (!el.collector.value) { setErr('collector', t('ui.operator.choose_error')); bad = true; }
    if (!el.pin.value) { setErr('pin', t('problem.required')); bad = true; }
    if (bad) return focusFirstInvalid(['collector', 'pin']);

    const btn = $('open-shift');
    btn.disabled = true;
    let r;
    try {
      r = await api('POST', '/api/shift', { pin: el.pin.value, collector_id: el.collector.value });
    } catch (_) {
      setErr('operator', t('ui.err.network'));
      return;
    } finally {
      btn.disabled = false;
    }
    if (r.status === 200) {
      el.pin.value = '';
      state.status.shift = r.data;
      try { await loadProjects(); } catch (_) { /* the list shows what it has; showList retries */ }
      showList();
      return;
    }
    const code = r.data.error;
    if (code === 'wrong_pin') {
      setErr('pin', errorText(r.data));
      el.pin.select();
    } else if (code === 'unknown_collector') {
      setErr('collector', errorText(r.data));
    } else if (code === 'clock_untrusted') {
      try { await loadStatus(); } catch (_) { /* keep what we had */ }
      if (state.status.clock) state.status.clock.trusted = false;
      renderOperator();
      setErr('operator', errorText(r.data));
    } else {
      setErr('operator', errorText(r.data));
    }
  }

  async function setClock(confirm) {
    clearErrs(['clock', 'pin', 'operator']);
    if (!el.pin.value) {
      setErr('pin', t('problem.required'));
      el.pin.focus();
      return;
    }
    const body = confirm ? { pin: el.pin.value, confirm: true } : { pin: el.pin.value, now: $('clock-now').value };
    let r;
    try {
      r = await api('POST', '/api/clock', body);
    } catch (_) {
      setErr('clock', t('ui.err.network'));
      return;
    }
    if (r.status === 200) {
      state.status.clock = r.data;
      renderOperator();
      el.collector.focus();
    } else if (r.data.error === 'wrong_pin') {
      setErr('pin', errorText(r.data));
      el.pin.select();
    } else {
      setErr('clock', errorText(r.data));
    }
  }

  // ---- project list -----------------------------------------------------

  // showList shows what is known at once, then refreshes progress (and
  // notices a shift closed elsewhere) without making the resident wait.
  function showList(message) {
    renderList();
    show('list');
    if (message) setErr('project', message);
    refreshList();
  }

  async function refreshList() {
    const gen = state.gen;
    try {
      await Promise.all([loadStatus(), loadProjects()]);
    } catch (_) {
      return;
    }
    if (state.screen !== 'list' || gen !== state.gen) return;
    if (!state.status.shift) {
      showOperator();
      return;
    }
    renderList();
  }

  function shiftProjects() {
    const shift = state.status && state.status.shift;
    const ids = (shift && shift.projects) || [];
    return state.projects.filter((p) => ids.includes(p.id));
  }

  function renderList() {
    const box = $('projects');
    const focusedId = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.project : undefined;
    box.replaceChildren();
    const list = shiftProjects();
    for (const p of list) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'project';
      b.dataset.project = p.id;
      if (!p.open) b.classList.add('closed');
      b.append(span('p-name', p.name), span('p-territory', p.territory), span('p-progress', progressText(p)));
      const meter = span('meter', '');
      meter.setAttribute('aria-hidden', 'true');
      const fill = span('meter-fill', '');
      meter.append(fill);
      fillMeter(fill, p.percent);
      b.append(meter);
      if (!p.open) b.append(span('p-closed', t('ui.projects.closed')));
      box.append(b);
    }
    $('projects-none').hidden = list.length > 0;
    if (focusedId) {
      const again = box.querySelector('[data-project="' + CSS.escape(focusedId) + '"]');
      if (again) again.focus();
    }
  }

  function span(cls, text) {
    const s = document.createElement('span');
    s.className = cls;
    s.textContent = text;
    return s;
  }

  function chooseProject(id) {
    const p = state.projects.find((x) => x.id === id);
    if (!p) return;
    setErr('project', '');
    if (!p.open) {
      // Tell at once rather than after the resident has filled everything in.
      const today = (state.status && state.status.clock && state.status.clock.date) || '';
      const early = p.collect_from && today && today < p.collect_from;
      setErr('project', t(early ? 'problem.collection_not_started' : 'problem.collection_ended'));
      $('err-project').scrollIntoView({ block: 'nearest' });
      return;
    }
    if (!state.project || state.project.id !== p.id) {
      // Residence, consent and the signature belong to one project; the
      // name and birth date may stay for a resident signing another one.
      el.resident.checked = false;
      el.consent.checked = false;
      clearPad();
      clearErrs(['full_name', 'birth_date', 'resident', 'consent', 'signature', 'form']);
    }
    state.project = p;
    renderResidence();
    show('step-identity');
  }

  function renderResidence() {
    const p = state.project;
    $('territory-name').textContent = p.territory;
    $('resident-label').textContent = t('ui.residence.tick', { territory: p.territory });
    const ul = $('streets');
    ul.replaceChildren();
    for (const s of p.streets || []) {
      const li = document.createElement('li');
      li.textContent = s;
      ul.append(li);
    }
    $('streets-box').hidden = !(p.streets && p.streets.length);
  }

  // ---- signing steps ----------------------------------------------------

  function focusFirstInvalid(fields) {
    for (const f of fields) {
      const box = $('err-' + f);
      if (box && box.textContent) {
        const input = $(FIELD_INPUT[f]);
        if (input) input.focus();
        return;
      }
    }
  }

  function toResidence() {
    clearErrs(['full_name', 'birth_date']);
    if (!el.fullName.value.trim()) setErr('full_name', t('problem.required'));
    if (!el.birth.value.trim()) setErr('birth_date', t('problem.required'));
    if ($('err-full_name').textContent || $('err-birth_date').textContent) {
      return focusFirstInvalid(['full_name', 'birth_date']);
    }
    show('step-residence');
  }

  function toConsent() {
    if (!el.resident.checked) {
      setErr('resident', t('problem.not_resident'));
      return el.resident.focus();
    }
    show('step-consent');
  }

  function toSignature() {
    if (!el.consent.checked) {
      setErr('consent', t('problem.no_consent'));
      return el.consent.focus();
    }
    show('step-signature');
  }

  function toConfirm() {
    if (!padHasSignature()) {
      setErr('signature', t('problem.signature_empty'));
      return;
    }
    $('sum-name').textContent = el.fullName.value.trim();
    $('sum-birth').textContent = el.birth.value.trim();
    $('sum-project').textContent = state.project.name + ' (' + state.project.territory + ')';
    setErr('form', '');
    show('step-confirm');
  }

  // DD.MM.YYYY → YYYY-MM-DD when it is a real calendar date; anything else
  // goes as typed so the server answers with its bad_date message.
  function isoBirth(text) {
    const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(text.trim());
    if (!m) return text;
    const d = Number(m[1]), mo = Number(m[2]), y = Number(m[3]);
    const dt = new Date(Date.UTC(2000, 0, 1));
    dt.setUTCFullYear(y, mo - 1, d);
    if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return text;
    return m[3] + '-' + m[2] + '-' + m[1];
  }

  // Dots appear as digits are typed; the caret stays after the same digit
  // so corrections in the middle still work.
  function maskBirth(e) {
    const input = el.birth;
    const raw = input.value;
    const caret = input.selectionStart == null ? raw.length : input.selectionStart;
    const digitsBefore = raw.slice(0, caret).replace(/\D/g, '').length;
    const digits = raw.replace(/\D/g, '').slice(0, 8);
    let out = digits.slice(0, 2);
    if (digits.length > 2) out += '.' + digits.slice(2, 4);
    if (digits.length > 4) out += '.' + digits.slice(4);
    // Typing the 2nd or 4th digit at the end also shows the next dot, so the
    // resident sees the day and month are done; deleting never re-adds it.
    const typing = e && e.inputType && e.inputType.startsWith('insert');
    if (typing && caret === raw.length && (digits.length === 2 || digits.length === 4)) out += '.';
    if (out === raw) return;
    input.value = out;
    let pos = 0, seen = 0;
    while (pos < out.length && seen < digitsBefore) {
      if (/\d/.test(out[pos])) seen++;
      pos++;
    }
    if (typing && out[pos] === '.') pos++;
    input.setSelectionRange(pos, pos);
  }

  async function submitSignature() {
    if (state.busy || !state.project) return;
    setErr('form', '');
    const gen = state.gen;
    const project = state.project;
    const body = {
      full_name: el.fullName.value.trim(),
      birth_date: isoBirth(el.birth.value),
      resident: el.resident.checked,
      consent: el.consent.checked,
      signature: { strokes: state.strokes },
    };
    setBusy(true);
    let r;
    try {
      r = await api('POST', '/api/projects/' + encodeURIComponent(project.id) + '/signatures', body);
    } catch (_) {
      if (gen === state.gen) setErr('form', t('ui.err.network'));
      return;
    } finally {
      setBusy(false);
    }
    if (gen !== state.gen) return;

    if (r.status === 201) return thank(project, r.data);

    const d = r.data;
    if (r.status === 422 && d.fields && typeof d.fields === 'object') {
      return showRefusal(d);
    }
    if (d.error === 'duplicate') {
      setErr('full_name', errorText(d));
      show('step-identity', el.fullName);
      return;
    }
    if (d.error === 'no_shift') {
      state.status.shift = null;
      refreshStatusQuietly();
      showOperator(errorText(d));
      return;
    }
    setErr('form', errorText(d));
  }

  function setBusy(on) {
    state.busy = on;
    el.submit.disabled = on;
    el.submit.setAttribute('aria-busy', on ? 'true' : 'false');
    el.submit.textContent = t(on ? 'ui.confirm.sending' : 'ui.confirm.submit');
  }

  // A 422: each message goes beside its field, and the resident is taken to
  // the earliest step with a problem. Nothing they entered is touched.
  function showRefusal(d) {
    const fields = d.fields;
    const codes = d.codes || {};
    const msg = (f) => fields[f] || (codes[f] && MESSAGES['problem.' + codes[f]]) || errorText(d);
    if (fields.project !== undefined) {
      showList(msg('project'));
      return;
    }
    let first = null;
    for (const f of Object.keys(FIELD_STEP)) {
      if (fields[f] === undefined) continue;
      setErr(f, msg(f));
      if (!first) first = f;
    }
    if (!first) {
      setErr('form', errorText(d));
      return;
    }
    const input = $(FIELD_INPUT[first]);
    show(FIELD_STEP[first], first === 'signature' ? null : input);
  }

  function thank(project, d) {
    // The resident's data is no longer needed on this device's screen.
    clearResident();
    state.project = project;
    project.signatures = d.signatures;
    project.required = d.required;
    project.percent = d.required > 0 ? Math.floor(d.signatures * 100 / d.required) : 0;
    $('thanks-where').textContent = t('ui.thanks.where', { sheet: d.sheet, row: d.row });
    el.qrBox.hidden = true;
    // The receipt's own QR code when the kiosk made one; else the project page.
    el.qr.src = d.qr || '/api/projects/' + encodeURIComponent(project.id) + '/qr.png';
    show('thanks');
    thanksTimer = setTimeout(finishThanks, THANKS_MS);
    loadProjects().then(renderProgress, () => {});
  }

  let thanksTimer = 0;
  function finishThanks() {
    if (state.screen !== 'thanks') return;
    resetAll();
    showList();
  }

  // renderSync shows the operator whether the server has everything: a
  // kiosk that is offline keeps collecting and says how much waits.
  function renderSync() {
    const box = $('sync');
    const s = state.status && state.status.sync;
    box.hidden = !s;
    if (!s) return;
    let key = 'ui.sync.done';
    if (!s.online) key = 'ui.sync.offline';
    else if (s.pending > 0) key = 'ui.sync.sending';
    box.textContent = t(key, { pending: s.pending });
    box.className = 'sync ' + (s.online ? (s.pending > 0 ? 'sending' : 'ok') : 'offline');
  }

  async function refreshStatusQuietly() {
    try {
      await loadStatus();
      if (state.screen === 'operator') renderOperator();
    } catch (_) { /* the operator screen works with what it has */ }
  }

  // ---- signature pad ----------------------------------------------------

  const ctx = el.pad.getContext('2d');
  let drawing = null; // the pointerId drawing now; one finger at a time

  // The backing store follows the pad's CSS size times devicePixelRatio so
  // lines stay sharp; strokes are kept in CSS pixels and simply redrawn.
  function fitPad() {
    const w = el.pad.clientWidth, h = el.pad.clientHeight;
    if (!w || !h) return;
    const dpr = window.devicePixelRatio || 1;
    const bw = Math.round(w * dpr), bh = Math.round(h * dpr);
    if (el.pad.width !== bw || el.pad.height !== bh) {
      el.pad.width = bw;
      el.pad.height = bh;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    redrawPad();
  }

  function penStyle() {
    ctx.lineWidth = 3;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#0b1f44';
    ctx.fillStyle = '#0b1f44';
  }

  function redrawPad() {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, el.pad.width, el.pad.height);
    ctx.restore();
    penStyle();
    for (const s of state.strokes) {
      if (s.length === 1) { dot(s[0]); continue; }
      ctx.beginPath();
      ctx.moveTo(s[0][0], s[0][1]);
      for (let i = 1; i < s.length; i++) ctx.lineTo(s[i][0], s[i][1]);
      ctx.stroke();
    }
  }

  function dot(p) {
    ctx.beginPath();
    ctx.arc(p[0], p[1], 1.5, 0, Math.PI * 2);
    ctx.fill();
  }

  // Pointer position in CSS pixels of the pad, clamped to it (pointer
  // capture keeps reporting outside the frame, and the server refuses
  // negative coordinates), rounded to 0.1 px to keep the request small.
  function padPoint(e) {
    const r = el.pad.getBoundingClientRect();
    const x = Math.min(Math.max(e.clientX - r.left, 0), r.width);
    const y = Math.min(Math.max(e.clientY - r.top, 0), r.height);
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  }

  el.pad.addEventListener('pointerdown', (e) => {
    if (drawing !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    fitPad(); // cheap when nothing changed; catches a ratio change no event reported
    el.pad.setPointerCapture(e.pointerId);
    drawing = e.pointerId;
    const p = padPoint(e);
    state.strokes.push([p]);
    setErr('signature', '');
    penStyle();
    dot(p);
  });

  el.pad.addEventListener('pointermove', (e) => {
    if (e.pointerId !== drawing) return;
    e.preventDefault();
    const stroke = state.strokes[state.strokes.length - 1];
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    penStyle();
    for (const ev of events.length ? events : [e]) {
      const p = padPoint(ev);
      const last = stroke[stroke.length - 1];
      // Skip sub-pixel jitter: it adds points, not ink.
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) < 1) continue;
      ctx.beginPath();
      ctx.moveTo(last[0], last[1]);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
      stroke.push(p);
    }
  });

  function endStroke(e) {
    if (e.pointerId === drawing) drawing = null;
  }
  el.pad.addEventListener('pointerup', endStroke);
  el.pad.addEventListener('pointercancel', endStroke);
  el.pad.addEventListener('lostpointercapture', endStroke);

  function clearPad() {
    state.strokes = [];
    drawing = null;
    redrawPad();
  }

  // Mirrors the server's rule (shared/signature: MinExtent 12, MinInk 30) so
  // a tap is refused here at once; the server still decides.
  function padHasSignature() {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, ink = 0;
    for (const s of state.strokes) {
      for (let i = 0; i < s.length; i++) {
        const [x, y] = s[i];
        minX = Math.min(minX, x); maxX = Math.max(maxX, x);
        minY = Math.min(minY, y); maxY = Math.max(maxY, y);
        if (i > 0) ink += Math.hypot(x - s[i - 1][0], y - s[i - 1][1]);
      }
    }
    return ink >= 30 && Math.max(maxX - minX, maxY - minY) >= 12;
  }

  if (typeof ResizeObserver === 'function') new ResizeObserver(fitPad).observe(el.pad);
  window.addEventListener('resize', fitPad);
  // devicePixelRatio can change without a resize (another screen, a
  // display setting): watch a media query for the current ratio, renewed
  // each time it stops matching.
  function watchRatio() {
    const mq = matchMedia('(resolution: ' + (window.devicePixelRatio || 1) + 'dppx)');
    mq.addEventListener('change', () => { fitPad(); watchRatio(); }, { once: true });
  }
  watchRatio();

  // ---- reset for the next resident --------------------------------------

  // clearResident forgets everything the resident entered or was told.
  function clearResident() {
    state.gen++;
    clearTimeout(thanksTimer);
    el.fullName.value = '';
    el.birth.value = '';
    el.resident.checked = false;
    el.consent.checked = false;
    clearPad();
    for (const id of ['sum-name', 'sum-birth', 'sum-project', 'thanks-where']) $(id).textContent = '';
    clearErrs(ALL_ERRS);
    setBusy(false);
    state.project = null;
  }

  // resetAll also forgets operator input and closes any dialog.
  function resetAll() {
    clearResident();
    el.qr.removeAttribute('src');
    el.qrBox.hidden = true;
    el.pin.value = '';
    $('clock-now').value = '';
    if (el.dialog.open) el.dialog.close();
    closePairing();
  }

  let idleTimer = 0;
  function armIdle() {
    clearTimeout(idleTimer);
    if (state.screen === 'loading') return;
    idleTimer = setTimeout(onIdle, IDLE_MS);
  }

  function onIdle() {
    if (state.busy) return armIdle(); // never pull the screen from under a request
    const operator = state.screen === 'operator';
    resetAll();
    if (operator) showOperator();
    else showList();
  }

  for (const type of ['pointerdown', 'pointermove', 'keydown', 'input']) {
    document.addEventListener(type, armIdle, { capture: true, passive: true });
  }

  // ---- close shift ------------------------------------------------------

  function askCloseShift() {
    const shift = state.status && state.status.shift;
    $('close-text').textContent = t('ui.shift.close_text', { name: shift ? shift.collector_name : '' });
    setErr('close', '');
    el.dialog.showModal();
    $('close-shift-cancel').focus();
  }

  async function closeShift() {
    const btn = $('close-shift-confirm');
    btn.disabled = true;
    let r;
    try {
      r = await api('DELETE', '/api/shift');
    } catch (_) {
      setErr('close', t('ui.err.network'));
      return;
    } finally {
      btn.disabled = false;
    }
    if (r.status !== 204 && r.status !== 200) {
      setErr('close', errorText(r.data));
      return;
    }
    resetAll();
    state.status.shift = null;
    try { await loadStatus(); } catch (_) { /* show the collectors we know */ }
    showOperator();
  }

  // ---- tablets (the kiosk's own screen, with -tablets) ------------------

  const pairDialog = $('pair-dialog');
  let devicesTimer = 0;

  // openPairing asks the kiosk for a one-time code with the PIN typed on
  // the operator screen and shows its QR code with the paired tablets.
  async function openPairing() {
    clearErrs(['pin', 'operator', 'pairing', 'devices']);
    if (!el.pin.value) {
      setErr('pin', t('problem.required'));
      el.pin.focus();
      return;
    }
    const btn = $('pair-open');
    btn.disabled = true;
    let r;
    try {
      r = await api('POST', '/api/pairing', { pin: el.pin.value });
    } catch (_) {
      setErr('pairing', t('ui.err.network'));
      return;
    } finally {
      btn.disabled = false;
    }
    if (r.status !== 201) {
      if (r.data.error === 'wrong_pin') {
        setErr('pin', errorText(r.data));
        el.pin.select();
      } else {
        setErr('pairing', errorText(r.data));
      }
      return;
    }
    // The PIN did its job; it must not wait in the field for the next person.
    el.pin.value = '';
    $('pair-qr').src = r.data.qr;
    $('pair-url').textContent = r.data.url;
    $('pair-text').textContent = t('ui.pair.text', { time: showInstant(r.data.expires_at).slice(-5) });
    pairDialog.showModal();
    $('pair-close').focus();
    loadDevices();
  }

  function closePairing() {
    clearTimeout(devicesTimer);
    if (!pairDialog) return;
    if (pairDialog.open) pairDialog.close();
    $('pair-qr').removeAttribute('src');
    $('pair-url').textContent = '';
    $('devices').replaceChildren();
  }

  // The list follows tablets pairing while the dialog is open.
  async function loadDevices() {
    clearTimeout(devicesTimer);
    if (!pairDialog || !pairDialog.open) return;
    let r;
    try {
      r = await api('GET', '/api/devices');
    } catch (_) {
      setErr('devices', t('ui.err.network'));
      devicesTimer = setTimeout(loadDevices, 3000);
      return;
    }
    if (!pairDialog.open) return;
    if (r.status !== 200 || !Array.isArray(r.data)) {
      setErr('devices', errorText(r.data));
    } else {
      setErr('devices', '');
      renderDevices(r.data);
    }
    devicesTimer = setTimeout(loadDevices, 3000);
  }

  function renderDevices(list) {
    const ul = $('devices');
    ul.replaceChildren();
    for (const d of list) {
      const li = document.createElement('li');
      li.dataset.device = d.id;
      const about = span('d-about', '');
      about.append(span('d-name', d.name), span('d-seen', t('ui.pair.seen', {
        paired: showInstant(d.paired_at), seen: showInstant(d.last_seen) })), span('d-agent', d.user_agent));
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'danger small';
      b.dataset.unpair = d.id;
      b.textContent = t('ui.pair.unpair');
      li.append(about, b);
      ul.append(li);
    }
    $('devices-none').hidden = list.length > 0;
  }

  async function unpair(id, btn) {
    btn.disabled = true;
    let r;
    try {
      r = await api('DELETE', '/api/devices/' + encodeURIComponent(id));
    } catch (_) {
      setErr('devices', t('ui.err.network'));
      btn.disabled = false;
      return;
    }
    if (r.status !== 204 && r.data.error !== 'unknown_device') {
      setErr('devices', errorText(r.data));
      btn.disabled = false;
      return;
    }
    loadDevices();
  }

  if (pairDialog) {
    $('pair-open').addEventListener('click', openPairing);
    $('pair-close').addEventListener('click', closePairing);
    pairDialog.addEventListener('close', closePairing);
    $('devices').addEventListener('click', (e) => {
      const b = e.target.closest('[data-unpair]');
      if (b) unpair(b.dataset.unpair, b);
    });
  }

  // ---- text size --------------------------------------------------------

  // Large text is a setting of the device, not of a resident: it stays
  // after the idle reset and a restart (localStorage holds nothing else).
  const FONT_KEY = 'sbor.textSize';
  function applyTextSize(large) {
    document.documentElement.classList.toggle('large-text', large);
    $('font-size').setAttribute('aria-pressed', large ? 'true' : 'false');
  }
  function storedLarge() {
    try { return localStorage.getItem(FONT_KEY) === 'large'; } catch (_) { return false; }
  }
  applyTextSize(storedLarge());
  $('font-size').addEventListener('click', () => {
    const large = !document.documentElement.classList.contains('large-text');
    applyTextSize(large);
    try { localStorage.setItem(FONT_KEY, large ? 'large' : 'normal'); } catch (_) { /* private mode: this page only */ }
    fitPad();
  });

  // ---- wiring -----------------------------------------------------------

  $('retry').addEventListener('click', start);
  $('shift-form').addEventListener('submit', (e) => { e.preventDefault(); openShift(); });
  $('clock-set').addEventListener('click', () => setClock(false));
  $('clock-confirm').addEventListener('click', () => setClock(true));
  el.collector.addEventListener('change', () => setErr('collector', ''));
  el.pin.addEventListener('input', () => setErr('pin', ''));

  $('projects').addEventListener('click', (e) => {
    const b = e.target.closest('[data-project]');
    if (b) chooseProject(b.dataset.project);
  });

  $('to-residence').addEventListener('click', toResidence);
  $('to-consent').addEventListener('click', toConsent);
  $('to-signature').addEventListener('click', toSignature);
  $('to-confirm').addEventListener('click', toConfirm);
  $('clear-pad').addEventListener('click', () => { clearPad(); setErr('signature', ''); });
  for (const b of document.querySelectorAll('[data-go]')) {
    b.addEventListener('click', () => (b.dataset.go === 'list' ? showList() : show(b.dataset.go)));
  }

  // Enter in a field moves on like the step's Next button; on the last
  // step the form's submit button signs.
  $('signing').addEventListener('submit', (e) => {
    e.preventDefault();
    const next = { 'step-identity': toResidence, 'step-residence': toConsent, 'step-consent': toSignature,
      'step-signature': toConfirm, 'step-confirm': submitSignature }[state.screen];
    if (next) next();
  });

  el.fullName.addEventListener('input', () => setErr('full_name', ''));
  el.birth.addEventListener('input', (e) => { maskBirth(e); setErr('birth_date', ''); });
  el.resident.addEventListener('change', () => setErr('resident', ''));
  el.consent.addEventListener('change', () => setErr('consent', ''));

  for (const n of document.querySelectorAll('.step-no')) {
    n.textContent = t('ui.step', { n: n.dataset.step, total: STEPS.length });
  }

  el.qr.addEventListener('load', () => { el.qrBox.hidden = false; });
  el.qr.addEventListener('error', () => { el.qrBox.hidden = true; });
  $('thanks').addEventListener('click', finishThanks);

  $('close-shift').addEventListener('click', askCloseShift);
  $('close-shift-cancel').addEventListener('click', () => el.dialog.close());
  $('close-shift-confirm').addEventListener('click', closeShift);

  $('lang').addEventListener('click', () => {
    const to = $('lang').getAttribute('lang') === 'ru' ? 'ru' : 'en';
    document.cookie = 'lang=' + to + '; path=/; max-age=31536000; SameSite=Lax';
    location.reload();
  });

  // A page restored from the back/forward cache may still hold a previous
  // resident's form: start over.
  window.addEventListener('pageshow', (e) => {
    if (e.persisted) { resetAll(); start(); }
  });

  start();

  // The service worker keeps the UI shell for a tablet that loses the
  // kiosk's Wi-Fi for a moment. Browsers allow one only in a secure
  // context: on the kiosk's own screen (127.0.0.1) and over HTTPS.
  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => { /* the UI works without it */ });
  }

  // The sync badge follows the uplink even while nobody touches the screen.
  setInterval(() => { loadStatus().catch(() => {}); }, 15000);
})();
