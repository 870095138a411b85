// The web chat page. The browser is someone only through its HttpOnly session cookie: this
// script never names a person; it asks the server which account the cookie belongs to.
//
// What the person sends leaves in order, one at a time: a "Xong" tapped while a photo is
// still uploading waits for it. Each message shows whether it has left; one that could not
// (offline, server down) is marked with "Gửi lại" and sent again with the same id (the
// server records it once). Photos are made smaller on the phone before they leave; a file
// too big or of a kind not taken is refused here, naming the limit.
'use strict';
(() => {
  const texts = JSON.parse(document.body.dataset.texts);
  const maxUpload = Number(document.body.dataset.maxUpload) || 0;
  const log = document.getElementById('log');
  const who = document.getElementById('who');
  const signout = document.getElementById('signout');
  const phone = document.getElementById('phone');
  const input = document.getElementById('text');
  const JSON_HEADERS = {'Content-Type': 'application/json'};
  const TAKEN = /^(image\/|audio\/|video\/|application\/pdf$)/;
  const PHOTO_SIDE = 1600, PHOTO_QUALITY = 0.85, SMALL_PHOTO = 400 * 1024;
  let after = 0, polling = 0, signedOut = false, sending = false, paused = false;
  const keyed = {};
  const shownMine = new Set();  // ids of the person's own messages on screen
  const queue = [];             // what is still to leave, in order

  function scrollDown() { log.scrollTop = log.scrollHeight; }
  function add(cls, text) {
    const div = document.createElement('div');
    div.className = 'msg ' + cls; div.textContent = text; log.appendChild(div);
    scrollDown(); return div;
  }
  function note(text) { return add('note', text); }
  function newId(prefix) {
    const id = crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + String(Math.random()).slice(2);
    return (prefix || '') + id;
  }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all));
  }
  function megabytes(bytes) { return (bytes / (1024 * 1024)).toFixed(1).replace('.', ',') + ' MB'; }
  function setWho(data) {
    who.textContent = data.name || '';
    signout.classList.toggle('hidden', !data.member);
  }
  function status(op, text) {
    if (!op.bubble) return;
    let line = op.bubble.querySelector('.status');
    if (!line) { line = document.createElement('div'); line.className = 'status'; op.bubble.appendChild(line); }
    line.textContent = text;
  }

  // ------------------------------------------------------------------ sending, in order
  function mine(text, op) {
    op.id = op.id || newId();
    shownMine.add(op.id);
    op.bubble = add('me pending', text);
    queue.push(op);
    if (queue.some(o => o.kind === 'upload' && o !== op)) status(op, texts.waiting_upload);
    pump();
  }
  async function pump() {
    if (sending) return;
    sending = true;
    try {
      while (queue.length && !signedOut && !paused) {
        const op = queue[0];
        const left = await deliver(op);
        if (!left) { fail(op); paused = true; break; }
        queue.shift();
        op.bubble.classList.remove('pending', 'failed');
        const line = op.bubble.querySelector('.status'); if (line) line.remove();
      }
    } finally { sending = false; }
  }
  function fail(op) {
    op.bubble.classList.remove('pending'); op.bubble.classList.add('failed');
    status(op, texts.failed);
    if (op.bubble.querySelector('.retry')) return;
    const again = document.createElement('button'); again.type = 'button'; again.className = 'retry';
    again.textContent = texts.retry;
    again.onclick = () => { again.remove(); resume(); };
    op.bubble.appendChild(again);
  }
  function resume() {
    for (const op of queue) {
      op.bubble.classList.remove('failed'); op.bubble.classList.add('pending');
      const again = op.bubble.querySelector('.retry'); if (again) again.remove();
      status(op, '');
    }
    paused = false; pump();
  }

  // True when the message left (or will never leave and was explained); false to retry.
  async function deliver(op) {
    if (op.kind === 'upload') return upload(op);
    let r;
    try {
      r = await fetch('/api/send', {method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({...op.body, id: op.id})});
    } catch (e) { return false; }
    return answered(r, op);
  }
  async function answered(r, op) {
    if (r.ok) return true;
    if (r.status === 401) { showSignedOut(); return true; }
    if (r.status >= 500) return false;
    const data = await r.json().catch(() => ({}));
    note(data.text || texts.failed);
    status(op, texts.failed);
    return true;
  }
  function upload(op) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/upload?id=' + encodeURIComponent(op.id));
      xhr.setRequestHeader('Content-Type', op.type);
      xhr.upload.onprogress = (e) => {
        if (!e.lengthComputable) return;
        const part = Math.round(100 * e.loaded / e.total);
        op.bar.value = part; status(op, texts.uploading + ' ' + part + '%');
      };
      xhr.onload = async () => {
        if (xhr.status === 200) { op.bar.value = 100; op.bar.remove(); resolve(true); return; }
        if (xhr.status === 401) { showSignedOut(); resolve(true); return; }
        if (xhr.status >= 500) { resolve(false); return; }
        let data = {};
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = {}; }
        if (xhr.status === 413) {
          note(fill(texts.upload_too_large, {name: op.name, size: megabytes(op.size)}));
        } else note(data.text || texts.upload_refused);
        op.bar.remove(); status(op, texts.failed);
        resolve(true);
      };
      xhr.onerror = () => resolve(false);
      xhr.send(op.blob);
    });
  }

  // ------------------------------------------------------------------ files
  async function shrink(file) {
    // A phone photo is often 3-6 MB: 1600 px a side is plenty for a reviewer, and a tenth
    // of the bytes on a slow line. Anything that cannot be redrawn leaves as it is.
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) return file;
    try {
      const picture = await createImageBitmap(file, {imageOrientation: 'from-image'});
      const scale = Math.min(1, PHOTO_SIDE / Math.max(picture.width, picture.height));
      if (scale === 1 && file.size <= SMALL_PHOTO) return file;
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(picture.width * scale); canvas.height = Math.round(picture.height * scale);
      const paint = canvas.getContext('2d');
      paint.fillStyle = '#fff'; paint.fillRect(0, 0, canvas.width, canvas.height);
      paint.drawImage(picture, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise(done => canvas.toBlob(done, 'image/jpeg', PHOTO_QUALITY));
      return blob && blob.size < file.size ? blob : file;
    } catch (e) { return file; }
  }
  async function sendFile(file) {
    if (!TAKEN.test(file.type || '')) { note(fill(texts.upload_wrong_type, {name: file.name})); return; }
    const blob = await shrink(file);
    if (maxUpload && blob.size > maxUpload) {
      note(fill(texts.upload_too_large, {name: file.name, size: megabytes(blob.size)})); return;
    }
    const type = blob.type || file.type || 'application/octet-stream';
    const op = {kind: 'upload', blob, name: file.name, size: blob.size, type};
    mine('📎 ' + file.name, op);
    op.bar = document.createElement('progress'); op.bar.max = 100; op.bar.value = 0;
    op.bubble.appendChild(op.bar);
    status(op, queue.length > 1 ? texts.waiting_upload : texts.uploading + ' 0%');
  }

  // ------------------------------------------------------------------ reading
  function media(div, items) {
    for (const item of items) {
      if (item.kind === 'photo') {
        const img = document.createElement('img'); img.src = item.url; img.alt = '';
        img.onload = scrollDown; div.appendChild(img);
      } else {
        const a = document.createElement('a'); a.href = item.url; a.textContent = '📄 ' + item.name;
        a.download = item.name; a.className = 'file'; div.appendChild(a);
      }
    }
  }
  // The text, with each code and phone number the server named (m.whole, in order) in a
  // span that never wraps: GS-2026-000123 and 0905 111 222 stay on one line.
  function unbroken(el, text, whole) {
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
    if (m.mine) {
      // The person's own message, read back after a reload (not when this page sent it).
      if (shownMine.has(m.client_id)) return;
      shownMine.add(m.client_id);
      media(add('me', m.text), m.media);
      return;
    }
    // A message with a replace_key (a progress report) updates its earlier bubble in place.
    if (m.replace_key && keyed[m.replace_key]) { unbroken(keyed[m.replace_key].firstChild, m.text, m.whole); return; }
    const div = add('bot', '');
    const body = document.createElement('span'); unbroken(body, m.text, m.whole);
    div.appendChild(body);
    if (m.replace_key) keyed[m.replace_key] = div;
    media(div, m.media);
    if (m.choices.length) {
      const row = document.createElement('div'); row.className = 'choices';
      for (const c of m.choices) {
        const b = document.createElement('button'); b.type = 'button'; b.textContent = c.label;
        b.onclick = () => mine(c.label, {kind: 'button', body: {button: c.token, label: c.label}});
        row.appendChild(b);
      }
      div.appendChild(row);
    }
    phone.classList.toggle('shown', Boolean(m.ask_phone));
    scrollDown();
  }
  async function poll(round) {
    while (round === polling && !signedOut) {
      try {
        const r = await fetch('/api/messages?wait=20&after=' + after);
        if (r.status === 401) { showSignedOut(); return; }
        if (!r.ok) throw new Error(String(r.status));
        const data = await r.json();
        if (round !== polling) return;
        setWho(data);
        for (const m of data.messages) { if (!m.mine) after = Math.max(after, m.id); show(m); }
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
    if (clear) { log.textContent = ''; after = 0; queue.length = 0; paused = false; }
    signedOut = false; setWho(data);
    polling += 1; poll(polling);
    // A new browser greets the bot by itself (not shown as something the person typed).
    if (data.fresh) {
      fetch('/api/send', {method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({text: '/start', id: newId('auto-')})});
    }
  }
  signout.onclick = async () => {
    if (!confirm(texts.sign_out_confirm)) return;
    await fetch('/api/signout', {method: 'POST', headers: JSON_HEADERS, body: '{}'});
    showSignedOut();
  };
  function grow() { input.style.height = 'auto'; input.style.height = Math.min(input.scrollHeight, 168) + 'px'; }
  input.addEventListener('input', grow);
  input.addEventListener('keydown', (e) => {
    // Enter sends; Shift+Enter starts a new line (long stories come in paragraphs).
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault(); document.getElementById('form').requestSubmit();
    }
  });
  document.getElementById('form').onsubmit = (e) => {
    e.preventDefault(); if (signedOut) return;
    const text = input.value;
    if (!text.trim()) return;
    input.value = ''; grow();
    mine(text, {kind: 'text', body: {text}});
  };
  phone.onclick = () => {
    const number = prompt(texts.phone_prompt);
    if (number) mine(number, {kind: 'phone', body: {phone: number}});
  };
  document.getElementById('file').onchange = async (e) => {
    const files = Array.from(e.target.files || []); e.target.value = '';
    if (signedOut) return;
    for (const file of files) await sendFile(file);
  };
  // A poster's QR code opens the page as /#ma=<invite code>: the code is put in the box, ready
  // to send (the fragment never reaches the server, nor its logs).
  const given = /^#ma=([A-Za-z0-9 -]{6,40})$/.exec(location.hash);
  if (given) {
    document.getElementById('text').value = decodeURIComponent(given[1]);
    history.replaceState(null, '', location.pathname);
  }
  start(false);
})();
