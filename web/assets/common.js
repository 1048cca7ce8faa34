// Shared by the annotator and admin pages. Untrusted strings only ever reach the page through
// textContent (the el() helper); nothing here builds HTML from strings.
'use strict';

const hl = {
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
    const res = await fetch(path, init);
    let data = null;
    if (res.status !== 204) {
      const text = await res.text();
      if (text) {
        try { data = JSON.parse(text); } catch (e) { data = null; }
      }
    }
    return { status: res.status, data };
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
    if (r.data && r.data.error && r.data.error.message) return `${r.status}: ${r.data.error.message}`;
    return `HTTP ${r.status}`;
  },
};
