// Sbor kiosk: the on-screen keyboard, for a touchscreen with no system
// keyboard. The page loads this file only on the kiosk's own screen with
// -onscreen-keyboard. It serves the inputs and text areas marked data-osk="letters"
// (Russian ЙЦУКЕН, a switch to Latin) or data-osk="digits", docks at the
// bottom while one of them has focus, and types into it at the caret the
// way a keyboard does: each key fires an 'input' event, so the page's
// birth-date mask and error clearing work as with a hardware keyboard,
// which keeps working alongside.
'use strict';

(() => {
  if (document.body.dataset.osk !== 'on') return;
  const box = document.getElementById('osk');
  if (!box) return;

  const MESSAGES = JSON.parse((document.getElementById('messages') || {}).textContent || '{}');
  const t = (key) => (Object.prototype.hasOwnProperty.call(MESSAGES, key) ? MESSAGES[key] : key);

  // A row is letters (strings) and special keys {k, w}; w is the width in
  // letter widths. Each layout's rows are measured in the same unit so
  // keys line up; shorter rows are centred, as on a real keyboard.
  const LAYOUTS = {
    cyrillic: [
      ['й', 'ц', 'у', 'к', 'е', 'н', 'г', 'ш', 'щ', 'з', 'х', 'ъ', { k: 'backspace', w: 1.5 }],
      ['ф', 'ы', 'в', 'а', 'п', 'р', 'о', 'л', 'д', 'ж', 'э', 'ё'],
      [{ k: 'shift', w: 2.5 }, 'я', 'ч', 'с', 'м', 'и', 'т', 'ь', 'б', 'ю', '-', '\''],
      [{ k: 'latin', w: 2 }, { k: 'space', w: 7.5 }, { k: 'done', w: 2.5 }, { k: 'hide', w: 1.5 }],
    ],
    latin: [
      ['q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', { k: 'backspace', w: 1.5 }],
      ['a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', '\''],
      [{ k: 'shift', w: 2.5 }, 'z', 'x', 'c', 'v', 'b', 'n', 'm', '-'],
      [{ k: 'cyrillic', w: 2 }, { k: 'space', w: 5.5 }, { k: 'done', w: 2.5 }, { k: 'hide', w: 1.5 }],
    ],
    digits: [
      ['1', '2', '3', '4', '5', { k: 'backspace', w: 1.5 }, { k: 'hide', w: 1.5 }],
      ['6', '7', '8', '9', '0', { k: 'done', w: 3 }],
    ],
  };
  // What special keys show, and what a screen reader says for them.
  const SPECIAL = {
    backspace: { label: '⌫', name: 'ui.osk.backspace' },
    shift: { label: '⇧', name: 'ui.osk.shift' },
    space: { label: t('ui.osk.space') },
    done: { label: t('ui.osk.done') },
    hide: { label: t('ui.osk.hide') },
    latin: { label: t('ui.osk.to_latin'), name: 'ui.osk.to_latin_label' },
    cyrillic: { label: t('ui.osk.to_cyrillic'), name: 'ui.osk.to_cyrillic_label' },
  };

  const osk = {
    target: null,        // the input typed into
    layout: 'cyrillic',  // the layout on show
    letters: 'cyrillic', // the letters layout last chosen
    shift: 'off',        // 'off', 'once' (next letter) or 'caps'
    lastShiftTap: 0,
    hidden: false,       // closed with Скрыть while the input keeps focus
  };

  // The system's own on-screen keyboard (on the Pi, or a tablet used as a
  // kiosk) must not cover this one: inputmode="none" keeps it away while
  // leaving the field editable by a hardware keyboard.
  function quietSystemKeyboard(input) {
    if (input.getAttribute('inputmode') === 'none') return;
    input.dataset.inputmode = input.getAttribute('inputmode') || '';
    input.setAttribute('inputmode', 'none');
  }
  for (const input of document.querySelectorAll('[data-osk]')) quietSystemKeyboard(input);

  // A field the keyboard serves: an input, or a text area (a survey's
  // free-text answer, which the page makes when a survey starts).
  function served(e) {
    return (e instanceof HTMLInputElement || e instanceof HTMLTextAreaElement) && !!e.dataset.osk;
  }

  // ---- drawing ----------------------------------------------------------

  function render() {
    const rows = LAYOUTS[osk.layout];
    const units = Math.max(...rows.map((r) => r.reduce((n, k) => n + (typeof k === 'string' ? 1 : k.w), 0)));
    box.replaceChildren();
    box.dataset.layout = osk.layout;
    for (const row of rows) {
      const line = document.createElement('div');
      line.className = 'osk-row';
      for (const k of row) {
        const key = document.createElement('button');
        key.type = 'button';
        // Out of the Tab order: a hardware keyboard types into the field
        // itself, and forty keys would stand between it and Next.
        key.tabIndex = -1;
        key.className = 'osk-key';
        const w = typeof k === 'string' ? 1 : k.w;
        // Set through the CSSOM, which the strict CSP allows.
        key.style.flexBasis = 'calc(' + (100 * w / units) + '% - var(--osk-gap))';
        if (typeof k === 'string') {
          key.dataset.key = 'char';
          key.dataset.char = k;
        } else {
          const sp = SPECIAL[k.k];
          key.dataset.key = k.k;
          key.classList.add('osk-special', 'osk-' + k.k);
          key.textContent = sp.label;
          if (sp.name) key.setAttribute('aria-label', t(sp.name));
        }
        line.append(key);
      }
      box.append(line);
    }
    renderShift();
  }

  function renderShift() {
    const upper = osk.shift !== 'off';
    for (const key of box.querySelectorAll('[data-key="char"]')) {
      key.textContent = upper ? key.dataset.char.toUpperCase() : key.dataset.char;
    }
    const s = box.querySelector('[data-key="shift"]');
    if (s) {
      s.setAttribute('aria-pressed', upper ? 'true' : 'false');
      s.classList.toggle('on', upper);
      s.classList.toggle('caps', osk.shift === 'caps');
    }
  }

  // ---- showing ----------------------------------------------------------

  function open(input) {
    quietSystemKeyboard(input);
    const kind = input.dataset.osk === 'digits' ? 'digits' : 'letters';
    if (kind === 'letters' && !input.value) osk.letters = 'cyrillic'; // most likely a new resident
    osk.target = input;
    osk.hidden = false;
    const layout = kind === 'digits' ? 'digits' : osk.letters;
    if (layout !== osk.layout || !box.firstChild) {
      osk.layout = layout;
      if (osk.shift !== 'caps') osk.shift = 'off';
      render();
    }
    autoShift();
    box.hidden = false;
    document.body.classList.add('osk-open');
    // The screen above the keyboard just got shorter: keep the field in view.
    requestAnimationFrame(() => input.scrollIntoView({ block: 'nearest' }));
  }

  function close() {
    box.hidden = true;
    document.body.classList.remove('osk-open');
    stopRepeat();
  }

  let refocusing = false;
  document.addEventListener('focusin', (e) => {
    if (refocusing) return; // our own repair below: Скрыть stays hidden
    if (served(e.target)) open(e.target);
  });
  // Focus leaving for anything but a key closes the keyboard; the check
  // waits a turn because focus passes through <body> on the way. While a
  // finger or the mouse is still down it waits for the release and the
  // click after it: closing moves the buttons below the screen (Далее
  // drops to the bottom), and a click whose press and release land on
  // different places is no click.
  let pointersDown = 0;
  let settleOnRelease = false;
  document.addEventListener('pointerdown', () => { pointersDown++; }, true);
  for (const type of ['pointerup', 'pointercancel']) {
    document.addEventListener(type, () => {
      pointersDown = Math.max(0, pointersDown - 1);
      if (settleOnRelease && pointersDown === 0) {
        settleOnRelease = false;
        setTimeout(settle, 0);
      }
    }, true);
  }
  document.addEventListener('focusout', () => {
    setTimeout(() => {
      if (pointersDown > 0) settleOnRelease = true;
      else settle();
    }, 0);
  });

  function settle() {
    const a = document.activeElement;
    if (a && a.dataset && a.dataset.osk) return;
    if (a && box.contains(a) && osk.target) {
      // Should a key ever take focus, give it back to the field.
      refocusing = true;
      osk.target.focus({ preventScroll: true });
      refocusing = false;
      return;
    }
    close();
  }
  // A tap on the field after Скрыть brings the keyboard back.
  document.addEventListener('pointerdown', (e) => {
    // (Not just [data-osk]: <body data-osk="on"> would match.)
    const input = e.target.closest && e.target.closest('input[data-osk], textarea[data-osk]');
    if (input && (box.hidden || osk.target !== input) && document.activeElement === input) open(input);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !box.hidden) close();
  });

  // ---- typing -----------------------------------------------------------

  function fire(input, inputType, data) {
    input.dispatchEvent(new InputEvent('input', { bubbles: true, inputType, data }));
  }

  function insert(text) {
    const input = osk.target;
    if (!input) return;
    const start = input.selectionStart == null ? input.value.length : input.selectionStart;
    const end = input.selectionEnd == null ? start : input.selectionEnd;
    if (input.maxLength >= 0 && input.value.length - (end - start) + text.length > input.maxLength) return;
    input.setRangeText(text, start, end, 'end');
    fire(input, 'insertText', text);
  }

  function backspace() {
    const input = osk.target;
    if (!input) return;
    let start = input.selectionStart == null ? input.value.length : input.selectionStart;
    const end = input.selectionEnd == null ? start : input.selectionEnd;
    if (start === end) {
      if (start === 0) return;
      start--;
    }
    input.setRangeText('', start, end, 'end');
    fire(input, 'deleteContentBackward', null);
  }

  // A name starts each word with a capital: after the start, a space or
  // a hyphen the next letter is a capital unless the resident says not.
  function autoShift() {
    if (osk.layout === 'digits' || osk.shift === 'caps' || !osk.target) return;
    const input = osk.target;
    const caret = input.selectionStart == null ? input.value.length : input.selectionStart;
    const before = input.value.slice(0, caret);
    const want = input.getAttribute('autocapitalize') === 'words' && (before === '' || /[\s-]$/.test(before));
    osk.shift = want ? 'once' : 'off';
    renderShift();
  }

  // done moves to the next field of the same form, or sends the form as
  // Enter would (the signing form goes to the next step).
  function done() {
    const input = osk.target;
    if (!input) return;
    const form = input.form;
    const fields = form ? [...form.querySelectorAll('[data-osk]')].filter((f) => !f.closest('[hidden]') && !f.disabled) : [];
    const i = fields.indexOf(input);
    if (i >= 0 && i < fields.length - 1) {
      fields[i + 1].focus();
      return;
    }
    // Enter's work may change the screen; the keyboard comes back only if
    // focus is still (or now) in a field it serves, e.g. a refused one.
    close();
    if (form) form.requestSubmit();
    const a = document.activeElement;
    if (a && a.dataset && a.dataset.osk && !a.closest('[hidden]')) open(a);
  }

  function press(key, el) {
    if (!osk.target) return;
    // The caret must be where the resident put it; keep the field focused.
    if (document.activeElement !== osk.target) {
      refocusing = true;
      osk.target.focus({ preventScroll: true });
      refocusing = false;
    }
    switch (key) {
      case 'char': {
        const c = el.dataset.char;
        insert(osk.shift !== 'off' ? c.toUpperCase() : c);
        if (osk.shift === 'once') osk.shift = 'off';
        autoShift();
        renderShift();
        break;
      }
      case 'space':
        insert(' ');
        autoShift();
        break;
      case 'backspace':
        backspace();
        autoShift();
        break;
      case 'shift': {
        // One tap: the next letter; a quick second tap: caps lock.
        const now = Date.now();
        if (osk.shift === 'once' && now - osk.lastShiftTap < 400) osk.shift = 'caps';
        else osk.shift = osk.shift === 'off' ? 'once' : 'off';
        osk.lastShiftTap = now;
        renderShift();
        break;
      }
      case 'latin':
      case 'cyrillic':
        osk.letters = key;
        osk.layout = key;
        if (osk.shift !== 'caps') osk.shift = 'off';
        render();
        autoShift();
        break;
      case 'done':
        done();
        break;
      case 'hide':
        osk.hidden = true;
        close();
        break;
    }
  }

  // Holding ⌫ keeps deleting, as on a phone.
  let repeatTimer = 0;
  function startRepeat() {
    stopRepeat();
    repeatTimer = setTimeout(function again() {
      backspace();
      autoShift();
      repeatTimer = setTimeout(again, 80);
    }, 500);
  }
  function stopRepeat() {
    clearTimeout(repeatTimer);
    repeatTimer = 0;
  }

  // Keys act on pointerdown, at once. Focus and the caret must stay in the
  // field: a cancelled touchstart makes no tap (so no focus move and no
  // click), and a cancelled mousedown moves no focus either. (A cancelled
  // pointerdown would not do: the tap that follows still focuses the key.)
  // A click with no pointer behind it (detail 0: a screen reader) acts too.
  box.addEventListener('touchstart', (e) => e.preventDefault(), { passive: false });
  box.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    const key = e.target.closest('[data-key]');
    if (!key) return;
    key.classList.add('down');
    press(key.dataset.key, key);
    if (key.dataset.key === 'backspace') startRepeat();
  });
  box.addEventListener('mousedown', (e) => e.preventDefault());
  for (const type of ['pointerup', 'pointercancel', 'pointerleave']) {
    box.addEventListener(type, (e) => {
      const key = e.target.closest && e.target.closest('[data-key]');
      if (key) key.classList.remove('down');
      stopRepeat();
    }, true);
  }
  box.addEventListener('click', (e) => {
    if (e.detail !== 0) return;
    const key = e.target.closest('[data-key]');
    if (key) press(key.dataset.key, key);
  });
})();
