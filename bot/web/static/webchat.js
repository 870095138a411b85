// The web chat page. The browser is someone only through its HttpOnly session cookie: this
// script never names a person; it asks the server which account the cookie belongs to.
'use strict';
(() => {
  const texts = JSON.parse(document.body.dataset.texts);
  const log = document.getElementById('log');
  const who = document.getElementById('who');
  const signout = document.getElementById('signout');
  const phone = document.getElementById('phone');
  let after = 0, polling = 0, signedOut = false;
  const keyed = {};
  const JSON_HEADERS = {'Content-Type': 'application/json'};

  function scrollDown() { log.scrollTop = log.scrollHeight; }
  function add(cls, text) {
    const div = document.createElement('div');
    div.className = 'msg ' + cls; div.textContent = text; log.appendChild(div);
    scrollDown(); return div;
  }
  function note(text) { return add('note', text); }
  function newId() {
    return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + String(Math.random()).slice(2);
  }
  function setWho(data) {
    who.textContent = data.name || '';
    signout.classList.toggle('hidden', !data.member);
  }
  async function call(path, body) {
    const r = await fetch(path, {method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body || {})});
    if (r.status === 401) { showSignedOut(); return null; }
    if (r.status === 429) {
      const data = await r.json().catch(() => ({}));
      note(data.text || texts.too_many); return null;
    }
    return r;
  }
  async function post(body) {
    body.id = newId();
    await call('/api/send', body);
  }
  // The text, with each code and phone number the server named (m.whole, in order) in a
  // span that never wraps: GS-2026-000123 and 0905 111 222 stay on one line.
  function fill(el, text, whole) {
    el.textContent = '';
    let rest = text;
    for (const token of whole || []) {
      const at = rest.indexOf(token);
      if (at < 0) continue;
      el.appendChild(document.createTextNode(rest.slice(0, at)));
      const span = document.createElement('span'); span.className = 'nw'; span.textContent = token;
      el.appendChild(span);
      rest = rest.slice(at + token.length);
    }
    el.appendChild(document.createTextNode(rest));
  }
  function show(m) {
    // A message with a replace_key (a progress report) updates its earlier bubble in place.
    if (m.replace_key && keyed[m.replace_key]) { fill(keyed[m.replace_key].firstChild, m.text, m.whole); return; }
    const div = add('bot', '');
    const body = document.createElement('span'); fill(body, m.text, m.whole);
    div.appendChild(body);
    if (m.replace_key) keyed[m.replace_key] = div;
    for (const media of m.media) {
      if (media.kind === 'photo') {
        const img = document.createElement('img'); img.src = media.url; img.alt = '';
        img.onload = scrollDown; div.appendChild(img);
      } else {
        const a = document.createElement('a'); a.href = media.url; a.textContent = '📄 ' + media.name;
        a.download = media.name; a.className = 'file'; div.appendChild(a);
      }
    }
    if (m.choices.length) {
      const row = document.createElement('div'); row.className = 'choices';
      for (const c of m.choices) {
        const b = document.createElement('button'); b.type = 'button'; b.textContent = c.label;
        b.onclick = () => { add('me', c.label); post({button: c.token}); };
        row.appendChild(b);
      }
      div.appendChild(row);
    }
    phone.classList.toggle('shown', Boolean(m.ask_phone));
    scrollDown();
  }
  async function poll(mine) {
    while (mine === polling && !signedOut) {
      try {
        const r = await fetch('/api/messages?wait=20&after=' + after);
        if (r.status === 401) { showSignedOut(); return; }
        if (!r.ok) throw new Error(String(r.status));
        const data = await r.json();
        if (mine !== polling) return;
        setWho(data);
        for (const m of data.messages) { after = Math.max(after, m.id); show(m); }
      } catch (e) { await new Promise(res => setTimeout(res, 2000)); }
    }
  }
  function showSignedOut() {
    if (signedOut) return;
    signedOut = true; polling += 1;
    setWho({member: false, name: ''});
    const div = note(texts.signed_out);
    const again = document.createElement('button'); again.type = 'button'; again.id = 'again';
    again.textContent = texts.start_again; again.onclick = () => start(true);
    div.appendChild(again);
  }
  async function start(clear) {
    const r = await fetch('/api/session', {method: 'POST', headers: JSON_HEADERS, body: '{}'});
    if (!r.ok) {
      const data = await r.json().catch(() => ({}));
      note(data.text || texts.too_many); return;
    }
    const data = await r.json();
    if (clear) { log.textContent = ''; after = 0; }
    signedOut = false; setWho(data);
    polling += 1; poll(polling);
    // A new browser greets the bot by itself, which answers with how to join.
    if (data.fresh) { add('me', '/start'); post({text: '/start'}); }
  }
  signout.onclick = async () => {
    if (!confirm(texts.sign_out_confirm)) return;
    await fetch('/api/signout', {method: 'POST', headers: JSON_HEADERS, body: '{}'});
    showSignedOut();
  };
  document.getElementById('form').onsubmit = (e) => {
    e.preventDefault(); if (signedOut) return;
    const input = document.getElementById('text'); const text = input.value;
    if (!text.trim()) return; input.value = ''; add('me', text); post({text});
  };
  phone.onclick = () => {
    const number = prompt(texts.phone_prompt); if (number) { add('me', number); post({phone: number}); }
  };
  document.getElementById('file').onchange = async (e) => {
    const file = e.target.files[0]; if (!file || signedOut) return;
    add('me', '📎 ' + file.name);
    try {
      const r = await fetch('/api/upload?id=' + newId(), {method: 'POST', body: file,
        headers: {'Content-Type': file.type || 'application/octet-stream'}});
      if (r.status === 401) showSignedOut();
      else if (r.status === 413) note(texts.upload_too_large);
      else if (!r.ok) { const data = await r.json().catch(() => ({})); note(data.text || texts.upload_refused); }
    } catch (err) { note(texts.upload_failed); }
    e.target.value = '';
  };
  start(false);
})();
