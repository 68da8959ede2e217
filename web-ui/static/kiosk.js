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
    'sv-full_name': 'sv-full-name', 'sv-birth_date': 'sv-birth-date', 'sv-resident': 'sv-resident',
    'sv-consent': 'sv-consent-tick',
    'mt-full_name': 'mt-full-name', 'mt-birth_date': 'mt-birth-date', 'mt-resident': 'mt-resident',
    'mt-consent': 'mt-consent-tick', 'mt-kind': 'mt-kind', 'mt-date': 'mt-date', 'mt-place': 'mt-place',
    'mt-territory_id': 'mt-territory', 'mt-agenda': 'mt-agenda', 'mt-chair': 'mt-chair',
    'mt-secretary': 'mt-secretary', 'mt-rule': 'mt-rule',
    'mt-vote-for': 'mt-vote-for', 'mt-vote-against': 'mt-vote-against', 'mt-vote-abstained': 'mt-vote-abstained',
    'mt-vote_mode': 'mt-vote-mode', 'mt-ballot-full_name': 'mt-ballot-name', 'mt-ballot-birth_date': 'mt-ballot-birth',
  };
  // Fields the script makes (a survey's questions): field → input id.
  const DYN_INPUT = {};
  // Screens of the survey flow and of meeting mode, besides the
  // generated question screens (sv-q-<id>).
  const SURVEY_SCREENS = ['sv-identity', 'sv-residence', 'sv-consent', 'sv-confirm', 'sv-thanks'];
  const MEETING_SCREENS = ['mt-list', 'mt-create', 'mt-home', 'mt-votes', 'mt-ballots'];
  // Screens of a meeting that follow its count on other devices.
  const POLLED_SCREENS = ['mt-home', 'mt-votes', 'mt-ballots'];

  const state = {
    screen: 'loading',
    status: null,     // GET /api/status
    projects: [],     // GET /api/projects
    project: null,    // the project being signed
    strokes: [],      // signature: arrays of [x, y] in CSS pixels of the pad
    surveys: [],      // GET /api/surveys
    survey: null,     // the survey being answered
    meetings: [],     // GET /api/meetings
    meeting: null,    // the meeting open in meeting mode: GET /api/meetings/{id}
    voteItem: 0,      // the agenda item on the vote screen
    ballot: {},       // the resident's choices on the ballots screen: project id → for|against|abstain
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

  async function loadSurveys() {
    const r = await api('GET', '/api/surveys');
    if (r.status !== 200 || !Array.isArray(r.data)) throw new Error('surveys ' + r.status);
    state.surveys = r.data;
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
    const id = FIELD_INPUT[field] || DYN_INPUT[field];
    const input = id && $(id);
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
    let title = t('ui.title');
    if (signing && state.project) title = state.project.name;
    else if (isSurveyScreen(name) && state.survey) title = state.survey.title;
    else if (MEETING_SCREENS.includes(name)) title = state.meeting && name !== 'mt-list' && name !== 'mt-create' ? presentText(state.meeting) : t('ui.meeting.bar');
    $('bar-title').textContent = title;
    $('close-shift').hidden = name !== 'list';
    $('meeting-mode').hidden = name !== 'list';
    if (!POLLED_SCREENS.includes(name)) stopMeetingPoll();
    renderProgress();
    // replaceState, never pushState: the browser's Back must not lead to a
    // previous resident's form.
    history.replaceState({ screen: name }, '', location.pathname + location.search);
    if (name === 'step-signature') fitPad();
    armIdle();
    const target = focusTarget || document.querySelector('#' + CSS.escape(name) + ' h1');
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
      if (state.status.shift) await Promise.all([loadProjects(), loadSurveys()]);
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
      try { await Promise.all([loadProjects(), loadSurveys()]); } catch (_) { /* the list shows what it has; showList retries */ }
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
      await Promise.all([loadStatus(), loadProjects(), loadSurveys()]);
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
    renderSurveyList();
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
        let input = $(FIELD_INPUT[f] || DYN_INPUT[f]);
        if (input && !/^(INPUT|TEXTAREA|SELECT)$/.test(input.tagName)) input = input.querySelector('input');
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
  function maskBirth(e) { maskDate(el.birth, e); }

  function maskDate(input, e) {
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
    if (d.error === 'no_shift') return shiftLost(d);
    setErr('form', errorText(d));
  }

  // shiftLost returns to the operator screen when the shift closed under
  // the resident (another device closed it, or it expired).
  function shiftLost(d) {
    state.status.shift = null;
    refreshStatusQuietly();
    showOperator(errorText(d));
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
    const base = '/api/projects/' + encodeURIComponent(project.id);
    el.qr.src = d.receipt ? base + '/receipts/' + encodeURIComponent(d.receipt) + '/qr.png' : base + '/qr.png';
    show('thanks');
    thanksTimer = setTimeout(finishThanks, THANKS_MS);
    loadProjects().then(renderProgress, () => {});
  }

  let thanksTimer = 0;
  function finishThanks() {
    if (state.screen !== 'thanks' && state.screen !== 'sv-thanks') return;
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
    if (s.needs_enroll) key = 'ui.sync.enroll';
    else if (!s.online) key = 'ui.sync.offline';
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

  // ---- opinion surveys ---------------------------------------------------

  // Where each refused field of a survey is entered, in flow order; the
  // questions follow the consent (sv-q-<id>).
  const SV_FIXED = [
    ['full_name', 'sv-identity'], ['birth_date', 'sv-identity'], ['resident', 'sv-residence'], ['consent', 'sv-consent'],
  ];

  function isSurveyScreen(name) {
    return SURVEY_SCREENS.includes(name) || String(name).startsWith('sv-q-');
  }

  // The survey's screens in order: who, residence, consent, a screen a
  // question, confirm.
  function surveySteps() {
    const qs = state.survey ? state.survey.questions.map((q) => 'sv-q-' + q.id) : [];
    return ['sv-identity', 'sv-residence', 'sv-consent', ...qs, 'sv-confirm'];
  }

  function renderSurveyList() {
    const box = $('surveys');
    box.replaceChildren();
    for (const sv of state.surveys) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'survey-card';
      b.id = 'survey-open-' + sv.id;
      b.dataset.survey = sv.id;
      b.append(span('s-action', t('ui.surveys.take')), span('s-title', sv.title));
      box.append(b);
    }
    $('surveys-box').hidden = state.surveys.length === 0;
  }

  function chooseSurvey(id) {
    const sv = state.surveys.find((x) => x.id === id);
    if (!sv) return;
    if (!state.survey || state.survey.id !== sv.id) {
      clearSurvey();
      state.survey = sv;
      buildQuestions(sv);
    }
    $('sv-about').textContent = t('ui.survey.about', { title: sv.title });
    const many = (sv.territories || []).length > 1;
    $('sv-territories').textContent = (sv.territories || []).join(', ');
    $('sv-resident-label').textContent = t(many ? 'ui.survey.resident_many' : 'ui.residence.tick',
      { territory: (sv.territories || []).join(', ') });
    numberSurveySteps();
    show('sv-identity');
  }

  // buildQuestions makes one screen a question: big radio buttons for a
  // single choice, big tick boxes for several, a text box for free text.
  function buildQuestions(sv) {
    const box = $('sv-questions');
    box.replaceChildren();
    for (const k of Object.keys(DYN_INPUT)) delete DYN_INPUT[k];
    for (const q of sv.questions) {
      const sec = document.createElement('section');
      sec.className = 'screen step';
      sec.id = 'sv-q-' + q.id;
      sec.hidden = true;
      sec.dataset.question = q.id;
      const body = document.createElement('div');
      body.className = 'body';
      const h1 = document.createElement('h1');
      h1.id = 'sv-q-title-' + q.id;
      h1.tabIndex = -1;
      h1.textContent = q.text;
      sec.setAttribute('aria-labelledby', h1.id);
      const kindHint = { single: 'ui.survey.single', multiple: 'ui.survey.multiple', text: 'ui.survey.text' }[q.kind];
      const hint = document.createElement('p');
      hint.className = 'hint';
      hint.textContent = t(kindHint) + (q.required ? '' : ' ' + t('ui.survey.optional'));
      body.append(h1, hint);
      const errId = 'err-sv-q-' + q.id;
      if (q.kind === 'text') {
        const ta = document.createElement('textarea');
        ta.id = 'sv-text-' + q.id;
        ta.rows = 4;
        ta.maxLength = 2000;
        ta.autocomplete = 'off';
        ta.spellcheck = false;
        ta.setAttribute('autocapitalize', 'sentences');
        ta.setAttribute('aria-labelledby', h1.id);
        ta.setAttribute('aria-describedby', errId);
        ta.dataset.osk = 'letters';
        ta.addEventListener('input', () => setErr('sv-q-' + q.id, ''));
        body.append(ta);
        DYN_INPUT['sv-q-' + q.id] = ta.id;
      } else {
        const group = document.createElement('div');
        group.className = 'choices';
        group.id = 'sv-choices-' + q.id;
        group.setAttribute('role', q.kind === 'single' ? 'radiogroup' : 'group');
        group.setAttribute('aria-labelledby', h1.id);
        group.setAttribute('aria-describedby', errId);
        for (const o of q.options) {
          const label = document.createElement('label');
          label.className = 'tick choice';
          const input = document.createElement('input');
          input.type = q.kind === 'single' ? 'radio' : 'checkbox';
          input.name = 'sv-q-' + q.id;
          input.value = o.id;
          input.id = 'sv-opt-' + q.id + '-' + o.id;
          input.addEventListener('change', () => setErr('sv-q-' + q.id, ''));
          label.append(input, span('', o.text));
          group.append(label);
        }
        body.append(group);
        DYN_INPUT['sv-q-' + q.id] = group.id;
      }
      const err = document.createElement('p');
      err.className = 'err';
      err.id = errId;
      err.setAttribute('role', 'alert');
      body.append(err);

      const actions = document.createElement('div');
      actions.className = 'actions';
      const back = document.createElement('button');
      back.type = 'button';
      back.className = 'secondary';
      back.id = 'sv-q-back-' + q.id;
      back.textContent = t('ui.back');
      back.addEventListener('click', surveyBack);
      const no = span('step-no', '');
      no.dataset.svStep = sec.id;
      const next = document.createElement('button');
      next.type = 'button';
      next.className = 'primary';
      next.id = 'sv-q-next-' + q.id;
      next.textContent = t('ui.next');
      next.addEventListener('click', surveyNext);
      actions.append(back, no, next);
      sec.append(body, actions);
      box.append(sec);
    }
  }

  function numberSurveySteps() {
    const steps = surveySteps();
    for (const n of document.querySelectorAll('[data-sv-step]')) {
      n.textContent = t('ui.step', { n: steps.indexOf(n.dataset.svStep) + 1, total: steps.length });
    }
  }

  function questionOf(screen) {
    if (!state.survey || !String(screen).startsWith('sv-q-')) return null;
    return state.survey.questions.find((q) => 'sv-q-' + q.id === screen) || null;
  }

  // The reply to a question as the API takes it, or null when unanswered.
  function replyOf(q) {
    if (q.kind === 'text') {
      const v = ($('sv-text-' + q.id) || {}).value || '';
      return v.trim() ? { text: v.trim() } : null;
    }
    const chosen = [...document.querySelectorAll('#' + CSS.escape('sv-choices-' + q.id) + ' input:checked')].map((i) => i.value);
    return chosen.length ? { choices: chosen } : null;
  }

  function replyText(q, reply) {
    if (!reply) return t('ui.survey.no_answer');
    if (reply.text) return reply.text;
    return reply.choices.map((c) => (q.options.find((o) => o.id === c) || { text: c }).text).join(', ');
  }

  // surveyNext checks the step on show as far as the page can, then moves on.
  function surveyNext() {
    const screen = state.screen;
    if (screen === 'sv-identity') {
      clearErrs(['sv-full_name', 'sv-birth_date']);
      if (!$('sv-full-name').value.trim()) setErr('sv-full_name', t('problem.required'));
      if (!$('sv-birth-date').value.trim()) setErr('sv-birth_date', t('problem.required'));
      if ($('err-sv-full_name').textContent || $('err-sv-birth_date').textContent) {
        return focusFirstInvalid(['sv-full_name', 'sv-birth_date']);
      }
    } else if (screen === 'sv-residence') {
      if (!$('sv-resident').checked) {
        setErr('sv-resident', t('problem.not_resident.survey'));
        return $('sv-resident').focus();
      }
    } else if (screen === 'sv-consent') {
      if (!$('sv-consent-tick').checked) {
        setErr('sv-consent', t('problem.no_consent.survey'));
        return $('sv-consent-tick').focus();
      }
    } else if (screen === 'sv-confirm') {
      return submitSurvey();
    } else {
      const q = questionOf(screen);
      if (q && q.required && !replyOf(q)) {
        setErr('sv-q-' + q.id, t('problem.answer_required'));
        const box = $(DYN_INPUT['sv-q-' + q.id]);
        return (box.tagName === 'TEXTAREA' ? box : box.querySelector('input')).focus();
      }
    }
    const steps = surveySteps();
    const next = steps[steps.indexOf(screen) + 1];
    if (next === 'sv-confirm') renderSurveySummary();
    if (next) show(next);
  }

  function surveyBack() {
    const steps = surveySteps();
    const i = steps.indexOf(state.screen);
    if (i <= 0) return showList();
    show(steps[i - 1]);
  }

  function renderSurveySummary() {
    const dl = $('sv-summary');
    dl.replaceChildren();
    const row = (term, value) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      dl.append(dt, dd);
    };
    row(t('ui.confirm.full_name'), $('sv-full-name').value.trim());
    row(t('ui.confirm.birth_date'), $('sv-birth-date').value.trim());
    for (const q of state.survey.questions) row(q.text, replyText(q, replyOf(q)));
    setErr('sv-form', '');
  }

  async function submitSurvey() {
    if (state.busy || !state.survey) return;
    setErr('sv-form', '');
    const gen = state.gen;
    const sv = state.survey;
    const replies = {};
    for (const q of sv.questions) {
      const r = replyOf(q);
      if (r) replies[q.id] = r;
    }
    const body = {
      full_name: $('sv-full-name').value.trim(),
      birth_date: isoBirth($('sv-birth-date').value),
      resident: $('sv-resident').checked,
      consent: $('sv-consent-tick').checked,
      replies,
    };
    const btn = $('sv-submit');
    setBusyButton(btn, true, 'ui.survey.submit');
    let r;
    try {
      r = await api('POST', '/api/surveys/' + encodeURIComponent(sv.id) + '/answers', body);
    } catch (_) {
      if (gen === state.gen) setErr('sv-form', t('ui.err.network'));
      return;
    } finally {
      setBusyButton(btn, false, 'ui.survey.submit');
    }
    if (gen !== state.gen) return;
    if (r.status === 201) {
      // The answers are stored; nothing of them stays on the screen.
      clearResident();
      show('sv-thanks');
      thanksTimer = setTimeout(finishThanks, THANKS_MS);
      loadSurveys().catch(() => {});
      return;
    }
    const d = r.data;
    if (r.status === 422 && d.fields && typeof d.fields === 'object') return showSurveyRefusal(d);
    if (d.error === 'duplicate') {
      setErr('sv-full_name', errorText(d));
      show('sv-identity', $('sv-full-name'));
      return;
    }
    if (d.error === 'no_shift') return shiftLost(d);
    setErr('sv-form', errorText(d));
  }

  // A 422: each message beside its field or question, the resident taken
  // to the earliest screen with one; nothing they entered is touched.
  function showSurveyRefusal(d) {
    const fields = d.fields;
    const codes = d.codes || {};
    const msg = (f) => fields[f] || (codes[f] && MESSAGES['problem.' + codes[f]]) || errorText(d);
    const order = SV_FIXED.map(([f, screen]) => ({ field: f, err: 'sv-' + f, screen }));
    for (const q of state.survey.questions) order.push({ field: q.id, err: 'sv-q-' + q.id, screen: 'sv-q-' + q.id });
    let first = null;
    for (const o of order) {
      if (fields[o.field] === undefined) continue;
      setErr(o.err, msg(o.field));
      if (!first) first = o;
    }
    if (!first) {
      setErr('sv-form', errorText(d));
      return;
    }
    show(first.screen);
  }

  // clearSurvey forgets the survey being answered and everything entered.
  function clearSurvey() {
    state.survey = null;
    $('sv-full-name').value = '';
    $('sv-birth-date').value = '';
    $('sv-resident').checked = false;
    $('sv-consent-tick').checked = false;
    $('sv-summary').replaceChildren();
    $('sv-questions').replaceChildren();
    for (const k of Object.keys(DYN_INPUT)) delete DYN_INPUT[k];
  }

  function setBusyButton(btn, on, idleKey) {
    state.busy = on;
    btn.disabled = on;
    btn.setAttribute('aria-busy', on ? 'true' : 'false');
    btn.textContent = t(on ? 'ui.confirm.sending' : idleKey);
  }

  // ---- meeting mode (the operator) --------------------------------------

  const KIND_KEY = (k) => 'ui.meeting.kind.' + k;

  function meetingHeading(m) {
    return t(KIND_KEY(m.kind)) + ' · ' + showDate(m.date);
  }

  async function showMeetingList(message) {
    stopMeetingPoll();
    state.meeting = null;
    renderMeetingList();
    show('mt-list');
    setErr('mt-list', message || '');
    const gen = state.gen;
    let r;
    try {
      r = await api('GET', '/api/meetings');
    } catch (_) {
      setErr('mt-list', t('ui.err.network'));
      return;
    }
    if (gen !== state.gen || state.screen !== 'mt-list') return;
    if (r.status !== 200 || !Array.isArray(r.data)) {
      setErr('mt-list', errorText(r.data));
      return;
    }
    state.meetings = r.data;
    renderMeetingList();
  }

  function renderMeetingList() {
    const box = $('meetings');
    box.replaceChildren();
    for (const m of state.meetings) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'meeting-card';
      b.id = 'mt-open-' + m.id;
      b.dataset.meeting = m.id;
      b.append(span('m-kind', meetingHeading(m)), span('m-place', m.place + ', ' + m.territory),
        span('m-agenda', t('ui.meeting.agenda_is', { agenda: m.agenda_names.join('; ') })));
      if (!m.from_catalog) b.append(span('m-local', t('ui.meeting.called_here')));
      box.append(b);
    }
    $('meetings-none').hidden = state.meetings.length > 0;
  }

  async function openMeeting(id) {
    setErr('mt-list', '');
    let r;
    try {
      r = await api('GET', '/api/meetings/' + encodeURIComponent(id));
    } catch (_) {
      setErr('mt-list', t('ui.err.network'));
      return;
    }
    if (r.status === 200) {
      state.meeting = r.data;
      clearMeetingPerson();
      showMeetingHome();
      return;
    }
    if (!meetingShiftLost(r.data)) setErr('mt-list', errorText(r.data));
  }

  // meetingShiftLost takes the operator back to open a shift when theirs
  // closed meanwhile.
  function meetingShiftLost(d) {
    if (d.error !== 'no_shift') return false;
    stopMeetingPoll();
    state.status.shift = null;
    refreshStatusQuietly();
    showOperator(errorText(d));
    return true;
  }

  function presentText(m) {
    const share = String(m.share_percent).replace('.', document.documentElement.lang === 'ru' ? ',' : '.');
    return t('ui.meeting.present', { present: m.present, share, residents: m.residents });
  }

  function renderMeetingHome() {
    const m = state.meeting;
    $('mt-title').textContent = meetingHeading(m);
    $('mt-where').textContent = m.place + ' · ' + m.territory + ' · ' + t('ui.meeting.agenda_is', { agenda: m.agenda_names.join('; ') });
    $('mt-present').textContent = presentText(m);
    // The count also stands in the bar, in view with the keyboard up.
    if (POLLED_SCREENS.includes(state.screen)) $('bar-title').textContent = presentText(m);
    $('mt-resident-label').textContent = t('ui.residence.tick', { territory: m.territory });
  }

  function showMeetingHome(focus) {
    renderMeetingHome();
    show('mt-home', focus);
    startMeetingPoll();
  }

  // The present count follows registrations made on other devices too.
  let meetingTimer = 0;
  function startMeetingPoll() {
    clearTimeout(meetingTimer);
    meetingTimer = setTimeout(pollMeeting, 5000);
  }
  function stopMeetingPoll() { clearTimeout(meetingTimer); }

  async function pollMeeting() {
    const m = state.meeting;
    if (!m || !POLLED_SCREENS.includes(state.screen)) return;
    try {
      const r = await api('GET', '/api/meetings/' + encodeURIComponent(m.id));
      if (r.status === 200 && state.meeting && state.meeting.id === m.id) {
        state.meeting = r.data;
        $('mt-present').textContent = presentText(r.data);
        $('mt-votes-present').textContent = presentText(r.data);
        $('bar-title').textContent = presentText(r.data);
        if (state.screen === 'mt-votes') renderDecision();
        if (state.screen === 'mt-ballots') renderBallotTallies();
      } else if (r.status !== 200 && meetingShiftLost(r.data)) {
        return;
      }
    } catch (_) { /* the line keeps the last count */ }
    startMeetingPoll();
  }

  async function registerAttendee() {
    if (state.busy || !state.meeting) return;
    clearErrs(['mt-full_name', 'mt-birth_date', 'mt-resident', 'mt-consent', 'mt-form']);
    $('mt-registered').textContent = '';
    if (!$('mt-full-name').value.trim()) setErr('mt-full_name', t('problem.required'));
    if (!$('mt-birth-date').value.trim()) setErr('mt-birth_date', t('problem.required'));
    if (!$('mt-resident').checked) setErr('mt-resident', t('problem.not_resident.meeting'));
    if (!$('mt-consent-tick').checked) setErr('mt-consent', t('problem.no_consent.meeting'));
    const order = ['mt-full_name', 'mt-birth_date', 'mt-resident', 'mt-consent'];
    if (order.some((f) => $('err-' + f).textContent)) return focusFirstInvalid(order);
    const gen = state.gen;
    const m = state.meeting;
    const body = {
      full_name: $('mt-full-name').value.trim(),
      birth_date: isoBirth($('mt-birth-date').value),
      resident: $('mt-resident').checked,
      consent: $('mt-consent-tick').checked,
    };
    const btn = $('mt-register');
    setBusyButton(btn, true, 'ui.meeting.register');
    let r;
    try {
      r = await api('POST', '/api/meetings/' + encodeURIComponent(m.id) + '/attendance', body);
    } catch (_) {
      if (gen === state.gen) setErr('mt-form', t('ui.err.network'));
      return;
    } finally {
      setBusyButton(btn, false, 'ui.meeting.register');
    }
    if (gen !== state.gen) return;
    const d = r.data;
    if (r.status === 201) {
      // Registered: the form clears for the next person.
      state.meeting = d;
      clearMeetingPerson();
      renderMeetingHome();
      $('mt-registered').textContent = t('ui.meeting.registered', { present: d.present });
      // Focus on the title, not the name: the confirmation stays in view
      // (the keyboard would cover it) until the next person's name is tapped.
      $('mt-home').querySelector('.body').scrollTop = 0;
      $('mt-title').focus();
      return;
    }
    if (meetingShiftLost(d)) return;
    if (r.status === 422 && d.fields && typeof d.fields === 'object') {
      const codes = d.codes || {};
      let any = false;
      for (const f of ['full_name', 'birth_date', 'resident', 'consent']) {
        if (d.fields[f] === undefined) continue;
        setErr('mt-' + f, d.fields[f] || MESSAGES['problem.' + codes[f]] || errorText(d));
        any = true;
      }
      if (any) return focusFirstInvalid(order);
    }
    if (d.error === 'duplicate') {
      setErr('mt-full_name', errorText(d));
      $('mt-full-name').focus();
      return;
    }
    setErr('mt-form', errorText(d));
  }

  function clearMeetingPerson() {
    $('mt-full-name').value = '';
    $('mt-birth-date').value = '';
    $('mt-resident').checked = false;
    $('mt-consent-tick').checked = false;
    $('mt-registered').textContent = '';
    clearErrs(['mt-full_name', 'mt-birth_date', 'mt-resident', 'mt-consent', 'mt-form']);
  }

  // ---- meeting: the votes, one agenda item at a time

  function showVotes() {
    if (!state.meeting) return;
    state.voteItem = Math.min(state.voteItem, state.meeting.items.length - 1);
    renderVote();
    show('mt-votes');
    startMeetingPoll();
  }

  function renderVote() {
    const m = state.meeting;
    const item = m.items[state.voteItem];
    $('mt-votes-present').textContent = presentText(m);
    $('mt-vote-item').textContent = t('ui.meeting.item', { n: state.voteItem + 1, total: m.items.length });
    $('mt-vote-item').hidden = m.items.length < 2;
    $('bar-title').textContent = presentText(m);
    $('mt-vote-project').textContent = item.project;
    const v = item.vote;
    $('mt-vote-for').value = v ? String(v.for) : '';
    $('mt-vote-against').value = v ? String(v.against) : '';
    $('mt-vote-abstained').value = v ? String(v.abstained) : '';
    $('mt-vote-saved').textContent = '';
    clearErrs(['mt-vote-for', 'mt-vote-against', 'mt-vote-abstained', 'mt-votes', 'mt-vote-form']);
    $('mt-vote-nav').hidden = m.items.length < 2;
    $('mt-vote-prev').disabled = state.voteItem === 0;
    $('mt-vote-next').disabled = state.voteItem >= m.items.length - 1;
    $('mt-vote-rule').textContent = t('ui.meeting.rule_is', { rule: t('ui.meeting.rule.' + m.rule) });
    renderDecision();
  }

  // The decision in force on the item on show, by the meeting's rule, as
  // the kiosk computed it from the saved counts.
  function renderDecision() {
    const item = state.meeting.items[state.voteItem];
    const box = $('mt-vote-decision');
    let key = 'ui.meeting.not_voted';
    if (item.supported === true) key = 'ui.meeting.supported';
    else if (item.supported === false) key = 'ui.meeting.not_supported';
    box.textContent = item.vote
      ? t(key, { for: item.vote.for, against: item.vote.against, abstained: item.vote.abstained })
      : t(key);
    box.className = 'decision' + (item.supported === true ? ' yes' : item.supported === false ? ' no' : '');
  }

  async function saveVote() {
    if (state.busy || !state.meeting) return;
    const counts = {};
    clearErrs(['mt-vote-for', 'mt-vote-against', 'mt-vote-abstained', 'mt-votes', 'mt-vote-form']);
    $('mt-vote-saved').textContent = '';
    for (const f of ['for', 'against', 'abstained']) {
      const text = $('mt-vote-' + f).value.trim();
      if (text === '') setErr('mt-vote-' + f, t('problem.required'));
      else if (!/^\d+$/.test(text)) setErr('mt-vote-' + f, t('ui.meeting.count_error'));
      else counts[f] = Number(text);
    }
    const order = ['mt-vote-for', 'mt-vote-against', 'mt-vote-abstained'];
    if (Object.keys(counts).length < 3) return focusFirstInvalid(order);
    const gen = state.gen;
    const m = state.meeting;
    const item = m.items[state.voteItem];
    const btn = $('mt-vote-save');
    setBusyButton(btn, true, 'ui.meeting.save_votes');
    let r;
    try {
      r = await api('POST', '/api/meetings/' + encodeURIComponent(m.id) + '/votes', { project_id: item.project_id, ...counts });
    } catch (_) {
      if (gen === state.gen) setErr('mt-vote-form', t('ui.err.network'));
      return;
    } finally {
      setBusyButton(btn, false, 'ui.meeting.save_votes');
    }
    if (gen !== state.gen) return;
    const d = r.data;
    if (r.status === 201) {
      state.meeting = d;
      renderVote();
      $('mt-vote-saved').textContent = t('ui.meeting.saved');
      return;
    }
    if (meetingShiftLost(d)) return;
    if (r.status === 422 && d.fields) {
      if (d.fields.votes !== undefined) {
        // Beside all three counts; focus stays put so the keyboard does
        // not come up over the message.
        setErr('mt-votes', d.fields.votes);
        for (const f of order) $(f).setAttribute('aria-invalid', 'true');
        $('err-mt-votes').scrollIntoView({ block: 'nearest' });
        return;
      }
      for (const f of ['for', 'against', 'abstained']) {
        if (d.fields[f] !== undefined) setErr('mt-vote-' + f, d.fields[f]);
      }
      if (d.fields.project_id !== undefined) setErr('mt-vote-form', d.fields.project_id);
      return focusFirstInvalid(order);
    }
    setErr('mt-vote-form', errorText(d));
  }

  function moveVote(by) {
    const n = state.meeting ? state.meeting.items.length : 0;
    state.voteItem = Math.max(0, Math.min(n - 1, state.voteItem + by));
    renderVote();
  }

  // ---- meeting: ballots, one registered resident after another
  //
  // At a meeting whose vote_mode is "ballots" each registered resident
  // enters name and birth date as at registration and presses For,
  // Against or Abstain on each agenda item; the secretary's counts screen
  // is not offered. The form clears for the next person.

  const BALLOT_CHOICES = ['for', 'against', 'abstain'];

  function showBallots() {
    if (!state.meeting) return;
    clearBallotPerson();
    renderBallots();
    show('mt-ballots');
    startMeetingPoll();
  }

  function renderBallots() {
    const m = state.meeting;
    $('mt-ballots-present').textContent = presentText(m);
    $('bar-title').textContent = presentText(m);
    $('mt-ballot-rule').textContent = t('ui.meeting.rule_is', { rule: t('ui.meeting.rule.' + m.rule) });
    const box = $('mt-ballot-items');
    box.replaceChildren();
    for (const item of m.items) {
      const div = document.createElement('div');
      div.className = 'ballot-item';
      div.dataset.project = item.project_id;
      const h = document.createElement('h2');
      h.id = 'mt-ballot-h-' + item.project_id;
      h.textContent = item.project;
      const row = document.createElement('div');
      row.className = 'ballot-choices';
      row.setAttribute('role', 'group');
      row.setAttribute('aria-labelledby', h.id);
      for (const c of BALLOT_CHOICES) {
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.project = item.project_id;
        b.dataset.choice = c;
        b.textContent = t('ui.meeting.ballot_' + c);
        b.setAttribute('aria-pressed', state.ballot[item.project_id] === c ? 'true' : 'false');
        row.append(b);
      }
      const tally = document.createElement('p');
      tally.className = 'decision';
      tally.setAttribute('role', 'status');
      div.append(h, row, tally);
      box.append(div);
    }
    renderBallotTallies();
  }

  // The votes so far and the decision on each item, as the kiosk counts
  // them from the ballots (the latest of each person).
  function renderBallotTallies() {
    const m = state.meeting;
    $('mt-ballots-present').textContent = presentText(m);
    for (const item of m.items) {
      const div = $('mt-ballot-items').querySelector('.ballot-item[data-project="' + CSS.escape(item.project_id) + '"]');
      if (!div) continue;
      const box = div.querySelector('.decision');
      let key = 'ui.meeting.no_ballots';
      if (item.supported === true) key = 'ui.meeting.supported';
      else if (item.supported === false) key = 'ui.meeting.not_supported';
      box.textContent = item.vote
        ? t(key, { for: item.vote.for, against: item.vote.against, abstained: item.vote.abstained })
        : t(key);
      box.className = 'decision' + (item.supported === true ? ' yes' : item.supported === false ? ' no' : '');
    }
  }

  function chooseBallot(project, choice) {
    state.ballot[project] = choice;
    for (const b of $('mt-ballot-items').querySelectorAll('button[data-project="' + CSS.escape(project) + '"]')) {
      b.setAttribute('aria-pressed', b.dataset.choice === choice ? 'true' : 'false');
    }
    setErr('mt-ballot-form', '');
    $('mt-ballot-saved').textContent = '';
  }

  async function castBallots() {
    if (state.busy || !state.meeting) return;
    const order = ['mt-ballot-full_name', 'mt-ballot-birth_date'];
    clearErrs(order.concat(['mt-ballot-form']));
    $('mt-ballot-saved').textContent = '';
    if (!$('mt-ballot-name').value.trim()) setErr('mt-ballot-full_name', t('problem.required'));
    if (!$('mt-ballot-birth').value.trim()) setErr('mt-ballot-birth_date', t('problem.required'));
    if (order.some((f) => $('err-' + f).textContent)) return focusFirstInvalid(order);
    const m = state.meeting;
    const chosen = m.items.filter((i) => state.ballot[i.project_id]);
    if (chosen.length === 0) {
      setErr('mt-ballot-form', t('ui.meeting.ballot_choose'));
      return;
    }
    const gen = state.gen;
    const who = { full_name: $('mt-ballot-name').value.trim(), birth_date: isoBirth($('mt-ballot-birth').value) };
    const btn = $('mt-ballot-submit');
    setBusyButton(btn, true, 'ui.meeting.ballot_submit');
    let r;
    try {
      // One ballot per item chosen; a refusal stops at that item (the
      // ones before are counted, and voting again replaces them).
      for (const item of chosen) {
        r = await api('POST', '/api/meetings/' + encodeURIComponent(m.id) + '/ballots',
          { project_id: item.project_id, choice: state.ballot[item.project_id], ...who });
        if (gen !== state.gen || r.status !== 201) break;
        state.meeting = r.data;
      }
    } catch (_) {
      if (gen === state.gen) setErr('mt-ballot-form', t('ui.err.network'));
      return;
    } finally {
      setBusyButton(btn, false, 'ui.meeting.ballot_submit');
    }
    if (gen !== state.gen) return;
    const d = r.data;
    if (r.status === 201) {
      // Counted: the form clears for the next person.
      clearBallotPerson();
      renderBallots();
      $('mt-ballot-saved').textContent = t('ui.meeting.ballot_saved');
      $('mt-ballots').querySelector('.body').scrollTop = 0;
      $('mt-ballots-title').focus();
      return;
    }
    if (meetingShiftLost(d)) return;
    if (d.error === 'not_registered') {
      setErr('mt-ballot-full_name', errorText(d));
      $('mt-ballot-name').focus();
      return;
    }
    if (r.status === 422 && d.fields) {
      const codes = d.codes || {};
      let any = false;
      for (const f of ['full_name', 'birth_date']) {
        if (d.fields[f] === undefined) continue;
        setErr('mt-ballot-' + f, d.fields[f] || MESSAGES['problem.' + codes[f]] || errorText(d));
        any = true;
      }
      if (any) return focusFirstInvalid(order);
      const other = d.fields.choice || d.fields.project_id;
      setErr('mt-ballot-form', other || errorText(d));
      return;
    }
    setErr('mt-ballot-form', errorText(d));
  }

  function clearBallotPerson() {
    state.ballot = {};
    $('mt-ballot-name').value = '';
    $('mt-ballot-birth').value = '';
    $('mt-ballot-saved').textContent = '';
    for (const b of $('mt-ballot-items').querySelectorAll('button[aria-pressed]')) b.setAttribute('aria-pressed', 'false');
    clearErrs(['mt-ballot-full_name', 'mt-ballot-birth_date', 'mt-ballot-form']);
  }

  // ---- meeting: calling a new one

  function showCreateMeeting() {
    clearCreateMeeting();
    const sel = $('mt-territory');
    while (sel.options.length > 1) sel.remove(1);
    const seen = new Set();
    for (const p of state.projects) {
      if (seen.has(p.territory_id)) continue;
      seen.add(p.territory_id);
      sel.add(new Option(p.territory, p.territory_id));
    }
    if (seen.size === 1) sel.value = [...seen][0];
    const today = state.status && state.status.clock && state.status.clock.date;
    if (today) $('mt-date').value = showDate(today);
    renderAgendaChoices();
    show('mt-create');
  }

  function renderAgendaChoices() {
    const box = $('mt-agenda');
    const keep = new Set([...box.querySelectorAll('input:checked')].map((i) => i.value));
    box.replaceChildren();
    const territory = $('mt-territory').value;
    const list = state.projects.filter((p) => p.territory_id === territory);
    for (const p of list) {
      const label = document.createElement('label');
      label.className = 'tick choice';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.value = p.id;
      input.id = 'mt-agenda-' + p.id;
      input.checked = keep.has(p.id) || list.length === 1;
      input.addEventListener('change', () => setErr('mt-agenda', ''));
      label.append(input, span('', p.name));
      box.append(label);
    }
    $('mt-agenda-none').hidden = list.length > 0;
  }

  const CREATE_FIELDS = ['kind', 'date', 'territory_id', 'place', 'agenda', 'chair', 'secretary', 'rule', 'vote_mode'];

  async function createMeeting() {
    if (state.busy) return;
    clearErrs(CREATE_FIELDS.map((f) => 'mt-' + f).concat(['mt-create']));
    const kind = (document.querySelector('input[name="mt-kind"]:checked') || {}).value || '';
    const rule = (document.querySelector('input[name="mt-rule"]:checked') || {}).value || '';
    const voteMode = (document.querySelector('input[name="mt-vote-mode"]:checked') || {}).value || '';
    const body = {
      kind,
      date: isoBirth($('mt-date').value),
      place: $('mt-place').value.trim(),
      territory_id: $('mt-territory').value,
      agenda: [...$('mt-agenda').querySelectorAll('input:checked')].map((i) => i.value),
      chair: $('mt-chair').value.trim(),
      secretary: $('mt-secretary').value.trim(),
      rule,
      vote_mode: voteMode,
    };
    const gen = state.gen;
    const btn = $('mt-create-submit');
    setBusyButton(btn, true, 'ui.meeting.create');
    let r;
    try {
      r = await api('POST', '/api/meetings', body);
    } catch (_) {
      if (gen === state.gen) setErr('mt-create', t('ui.err.network'));
      return;
    } finally {
      setBusyButton(btn, false, 'ui.meeting.create');
    }
    if (gen !== state.gen) return;
    const d = r.data;
    if (r.status === 201) {
      clearCreateMeeting();
      await openMeeting(d.id);
      return;
    }
    if (meetingShiftLost(d)) return;
    if (r.status === 422 && d.fields) {
      const codes = d.codes || {};
      let any = false;
      for (const f of CREATE_FIELDS) {
        if (d.fields[f] === undefined) continue;
        setErr('mt-' + f, d.fields[f] || MESSAGES['problem.' + codes[f]]);
        any = true;
      }
      if (d.fields.meeting !== undefined) setErr('mt-create', d.fields.meeting);
      if (any) {
        const first = CREATE_FIELDS.find((f) => d.fields[f] !== undefined);
        const input = $(FIELD_INPUT['mt-' + first]);
        if (input) {
          (input.querySelector('input') || input).focus();
          $('err-mt-' + first).scrollIntoView({ block: 'nearest' });
        }
      }
      return;
    }
    setErr('mt-create', errorText(d));
  }

  function clearCreateMeeting() {
    for (const id of ['mt-date', 'mt-place', 'mt-chair', 'mt-secretary']) $(id).value = '';
    for (const i of document.querySelectorAll('input[name="mt-kind"]')) i.checked = false;
    $('mt-rule-majority_present').checked = true;
    $('mt-vote-mode-counts').checked = true;
    $('mt-territory').value = '';
    $('mt-agenda').replaceChildren();
    clearErrs(CREATE_FIELDS.map((f) => 'mt-' + f).concat(['mt-create']));
  }

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
    clearSurvey();
    clearMeetingPerson();
    clearBallotPerson();
    clearErrs(ALL_ERRS);
    // Every message on any screen, the script's own fields' included.
    for (const e of document.querySelectorAll('.err')) e.textContent = '';
    for (const e of document.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
    setBusy(false);
    for (const id of ['sv-submit', 'mt-register', 'mt-vote-save', 'mt-create-submit', 'mt-ballot-submit']) {
      $(id).disabled = false;
      $(id).removeAttribute('aria-busy');
    }
    state.project = null;
  }

  // resetAll also forgets operator input and closes any dialog.
  function resetAll() {
    clearResident();
    el.qr.removeAttribute('src');
    el.qrBox.hidden = true;
    el.pin.value = '';
    $('clock-now').value = '';
    clearCreateMeeting();
    stopMeetingPoll();
    state.meeting = null;
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
    // Meeting mode stays in meeting mode: the secretary's screen comes
    // back ready for the next resident to register, with nobody's data.
    const meetingScreen = MEETING_SCREENS.includes(state.screen) ? state.screen : '';
    const meeting = state.meeting;
    resetAll();
    if (operator) showOperator();
    else if (meetingScreen && meeting && meetingScreen !== 'mt-list' && meetingScreen !== 'mt-create') {
      state.meeting = meeting;
      showMeetingHome();
    } else if (meetingScreen) showMeetingList();
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

  // Surveys.
  $('surveys').addEventListener('click', (e) => {
    const b = e.target.closest('[data-survey]');
    if (b) chooseSurvey(b.dataset.survey);
  });
  for (const id of ['sv-to-residence', 'sv-to-consent', 'sv-to-questions']) $(id).addEventListener('click', surveyNext);
  for (const id of ['sv-back-to-list', 'sv-back-to-identity', 'sv-back-to-residence', 'sv-back-to-questions']) {
    $(id).addEventListener('click', surveyBack);
  }
  $('survey-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (isSurveyScreen(state.screen)) surveyNext();
  });
  $('sv-full-name').addEventListener('input', () => setErr('sv-full_name', ''));
  $('sv-birth-date').addEventListener('input', (e) => { maskDate($('sv-birth-date'), e); setErr('sv-birth_date', ''); });
  $('sv-resident').addEventListener('change', () => setErr('sv-resident', ''));
  $('sv-consent-tick').addEventListener('change', () => setErr('sv-consent', ''));
  $('sv-thanks').addEventListener('click', finishThanks);

  // Meeting mode.
  $('meeting-mode').addEventListener('click', () => { resetAll(); showMeetingList(); });
  $('mt-list-back').addEventListener('click', () => { resetAll(); showList(); });
  $('mt-new').addEventListener('click', showCreateMeeting);
  $('meetings').addEventListener('click', (e) => {
    const b = e.target.closest('[data-meeting]');
    if (b) openMeeting(b.dataset.meeting);
  });
  $('mt-create-back').addEventListener('click', () => { clearCreateMeeting(); showMeetingList(); });
  $('mt-create-form').addEventListener('submit', (e) => { e.preventDefault(); createMeeting(); });
  $('mt-territory').addEventListener('change', () => { setErr('mt-territory_id', ''); renderAgendaChoices(); });
  $('mt-date').addEventListener('input', (e) => { maskDate($('mt-date'), e); setErr('mt-date', ''); });
  for (const f of ['place', 'chair', 'secretary']) $('mt-' + f).addEventListener('input', () => setErr('mt-' + f, ''));
  for (const i of document.querySelectorAll('input[name="mt-kind"]')) i.addEventListener('change', () => setErr('mt-kind', ''));
  $('mt-home-back').addEventListener('click', () => { clearMeetingPerson(); showMeetingList(); });
  // In ballots mode the residents vote themselves: the secretary's counts
  // screen is not offered.
  $('mt-to-votes').addEventListener('click', () => {
    clearMeetingPerson();
    if (state.meeting && state.meeting.vote_mode === 'ballots') return showBallots();
    state.voteItem = 0;
    showVotes();
  });
  $('mt-ballots-back').addEventListener('click', () => { clearBallotPerson(); showMeetingHome(); });
  $('mt-ballot-form').addEventListener('submit', (e) => { e.preventDefault(); castBallots(); });
  $('mt-ballot-items').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-choice]');
    if (b) chooseBallot(b.dataset.project, b.dataset.choice);
  });
  $('mt-ballot-name').addEventListener('input', () => { setErr('mt-ballot-full_name', ''); $('mt-ballot-saved').textContent = ''; });
  $('mt-ballot-birth').addEventListener('input', (e) => { maskDate($('mt-ballot-birth'), e); setErr('mt-ballot-birth_date', ''); });
  for (const i of document.querySelectorAll('input[name="mt-vote-mode"]')) i.addEventListener('change', () => setErr('mt-vote_mode', ''));
  $('mt-register-form').addEventListener('submit', (e) => { e.preventDefault(); registerAttendee(); });
  $('mt-full-name').addEventListener('input', () => { setErr('mt-full_name', ''); $('mt-registered').textContent = ''; });
  $('mt-birth-date').addEventListener('input', (e) => { maskDate($('mt-birth-date'), e); setErr('mt-birth_date', ''); });
  $('mt-resident').addEventListener('change', () => setErr('mt-resident', ''));
  $('mt-consent-tick').addEventListener('change', () => setErr('mt-consent', ''));
  $('mt-votes-back').addEventListener('click', () => showMeetingHome());
  $('mt-vote-form').addEventListener('submit', (e) => { e.preventDefault(); saveVote(); });
  $('mt-vote-prev').addEventListener('click', () => moveVote(-1));
  $('mt-vote-next').addEventListener('click', () => moveVote(1));
  for (const f of ['for', 'against', 'abstained']) {
    $('mt-vote-' + f).addEventListener('input', () => {
      setErr('mt-vote-' + f, '');
      setErr('mt-votes', '');
      $('mt-vote-saved').textContent = '';
      for (const g of ['for', 'against', 'abstained']) {
        if (!$('err-mt-vote-' + g).textContent) $('mt-vote-' + g).removeAttribute('aria-invalid');
      }
    });
  }

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

  for (const n of document.querySelectorAll('.step-no[data-step]')) {
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
