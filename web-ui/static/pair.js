// Sbor kiosk: the tablet's pairing page. It sends the code from the QR
// code with the operator PIN to POST /api/pair; the kiosk answers with the
// device cookie, and the tablet opens the kiosk UI.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $('pair-form');
  if (!form) return;
  const MESSAGES = JSON.parse($('messages').textContent || '{}');
  const t = (key) => (Object.prototype.hasOwnProperty.call(MESSAGES, key) ? MESSAGES[key] : key);

  function setErr(id, text) {
    $(id).textContent = text || '';
    if (id === 'err-pair-pin') {
      if (text) $('pair-pin').setAttribute('aria-invalid', 'true');
      else $('pair-pin').removeAttribute('aria-invalid');
    }
  }

  function message(data) {
    if (data && data.message) return data.message;
    if (data && data.error && MESSAGES['error.' + data.error]) return MESSAGES['error.' + data.error];
    return t('ui.err.unexpected');
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    setErr('err-pair', '');
    setErr('err-pair-pin', '');
    const pin = $('pair-pin').value;
    if (!pin) {
      setErr('err-pair-pin', t('problem.required'));
      $('pair-pin').focus();
      return;
    }
    const btn = $('pair-submit');
    btn.disabled = true;
    let res, data = {};
    try {
      res = await fetch('/api/pair', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: $('pair-code').value, pin, name: $('pair-name').value }),
        credentials: 'same-origin',
        cache: 'no-store',
      });
      try { data = await res.json(); } catch (_) { data = {}; }
    } catch (_) {
      setErr('err-pair', t('ui.err.network'));
      btn.disabled = false;
      return;
    }
    if (res.status === 200) {
      $('pair-pin').value = '';
      $('pair-done').hidden = false;
      // replace: Back must not lead to the used code.
      location.replace('/');
      return;
    }
    btn.disabled = false;
    if (data.error === 'wrong_pin') {
      setErr('err-pair-pin', message(data));
      $('pair-pin').select();
    } else {
      setErr('err-pair', message(data));
    }
  });

  $('pair-pin').addEventListener('input', () => setErr('err-pair-pin', ''));
  $('pair-pin').focus();
})();
