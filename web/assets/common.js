// Shared by the annotator and admin pages. Untrusted strings only ever reach the page through
// textContent (the el() helper); nothing here builds HTML from strings.
'use strict';

const hl = {
  // Never throws: a network failure is {status: 0, data: null, error: 'message'} so every caller
  // can show it (a thrown error in a key handler used to vanish without a word to the user).
  async api(method, path, body, idempotencyKey) {
    const init = {
      method,
      credentials: 'same-origin',
      headers: { 'X-Requested-With': 'hitloop' },
    };
    if (idempotencyKey) init.headers['Idempotency-Key'] = idempotencyKey;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      return { status: 0, data: null, error: `could not reach the server (${e && e.message ? e.message : e})` };
    }
    let data = null;
    if (res.status !== 204) {
      let text = '';
      try { text = await res.text(); } catch (e) { text = ''; }
      if (text) {
        try { data = JSON.parse(text); } catch (e) { data = null; }
      }
    }
    return { status: res.status, data };
  },

  // A short ASCII digest of a string (FNV-1a, 2 x 32 bits) for header values: header values
  // must be Latin-1 without control characters, and label names are arbitrary Unicode.
  digest(s) {
    let a = 0x811c9dc5, b = 0x01000193 ^ 0x5bd1e995;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193) >>> 0;
      b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
    }
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  },

  // el('div', {class: 'x', dir: 'auto'}, 'text' | Node, ...): attributes are set with
  // setAttribute (never on*), children are text nodes or elements.
  el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith('on')) throw new Error('event attributes are not allowed');
      e.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  },

  clear(node) { while (node.firstChild) node.removeChild(node.firstChild); },

  show(id, visible) { document.getElementById(id).hidden = !visible; },

  errorText(r) {
    if (r.status === 0) return r.error || 'could not reach the server';
    if (r.data && r.data.error && r.data.error.message) return `${r.status}: ${r.data.error.message}`;
    return `HTTP ${r.status}`;
  },

  pct(p) { return `${Math.round(Number(p) * 100)}%`; },

  async signOut() {
    await hl.api('DELETE', '/api/v1/session');
    location.reload();
  },
};
