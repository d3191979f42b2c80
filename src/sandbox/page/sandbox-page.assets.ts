/**
 * The /sandbox page: static HTML, CSS and a plain ES2017 script (no build step). It talks only
 * to the simulators' control endpoints, exactly as a phone would, and listens to
 * /sandbox/api/events (server-sent events) to redraw.
 */
export const SANDBOX_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>InvoiceIQ sandbox</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/sandbox/assets/sandbox.css">
</head>
<body>
<header><h1>InvoiceIQ sandbox</h1><p>Everything here is simulated: WhatsApp, Africa's Talking SMS and M-PESA run inside this app. Try <code>invoice 0722000002 1500 Logo design</code> in the merchant's chat, or just <code>invoice</code>.</p></header>
<div class="phones">
  <section class="phone" id="merchant-phone" aria-label="Merchant's phone">
    <h2>Merchant · WhatsApp</h2>
    <p class="who" id="merchant-name"></p>
    <ol class="chat" id="merchant-chat" aria-live="polite"></ol>
    <form class="composer" id="merchant-form"><label for="merchant-input" class="sr">Message</label><input id="merchant-input" autocomplete="off" placeholder="Type a message"><button type="submit">Send</button></form>
  </section>
  <section class="phone" id="customer-phone" aria-label="Customer's phone">
    <h2>Customer · <span id="customer-channel-label">WhatsApp</span></h2>
    <div class="controls">
      <label>Customer <select id="customer-select"></select></label>
      <span class="tabs" role="tablist"><button type="button" role="tab" id="tab-whatsapp" aria-selected="true">WhatsApp</button><button type="button" role="tab" id="tab-sms" aria-selected="false">SMS</button></span>
      <label class="switch"><input type="checkbox" id="not-on-whatsapp"> Not on WhatsApp</label>
    </div>
    <ol class="chat" id="customer-chat" aria-live="polite"></ol>
    <form class="composer" id="customer-form"><label for="customer-input" class="sr">Message</label><input id="customer-input" autocomplete="off" placeholder="Type a message"><button type="submit">Send</button></form>
    <div class="stk" id="stk" hidden role="dialog" aria-modal="true" aria-labelledby="stk-title">
      <div class="stk-box">
        <h3 id="stk-title">M-PESA</h3>
        <p id="stk-text"></p>
        <label for="stk-pin">Enter M-PESA PIN</label>
        <input id="stk-pin" type="password" inputmode="numeric" maxlength="4" autocomplete="off">
        <p class="hint">The sandbox PIN is <strong id="stk-demo-pin"></strong>; any other PIN is a wrong PIN.</p>
        <div class="stk-actions"><button type="button" id="stk-ok">OK</button><button type="button" id="stk-cancel">Cancel</button><button type="button" id="stk-timeout">Let it time out</button></div>
      </div>
    </div>
  </section>
  <section class="panel" aria-label="Machines">
    <h2>Invoice in view <span id="invoice-ref"></span></h2>
    <p id="invoice-state"></p>
    <h3>Transitions</h3>
    <ol id="transitions" class="log"></ol>
    <h3>Outbox</h3>
    <ol id="outbox" class="log"></ol>
  </section>
</div>
<script src="/sandbox/assets/sandbox.js" defer></script>
</body>
</html>`;

export const SANDBOX_PAGE_CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,sans-serif;background:#e9edef;color:#111}
header{padding:.75rem 1rem;background:#075e54;color:#fff}header h1{margin:0;font-size:1.2rem}header p{margin:.25rem 0 0}
code{background:rgba(255,255,255,.15);padding:0 .25rem;border-radius:3px}
.phones{display:flex;flex-wrap:wrap;gap:1rem;padding:1rem;align-items:flex-start}
.phone{position:relative;width:360px;height:680px;background:#efeae2;border:10px solid #222;border-radius:28px;display:flex;flex-direction:column;overflow:hidden}
.phone h2{margin:0;padding:.5rem .75rem;font-size:1rem;background:#075e54;color:#fff}
.who{margin:0;padding:.25rem .75rem;background:#128c7e;color:#fff;font-size:.85rem}
.controls{display:flex;flex-wrap:wrap;gap:.35rem .75rem;padding:.35rem .5rem;background:#128c7e;color:#fff;font-size:.85rem;align-items:center}
.tabs button{border:0;padding:.2rem .5rem;background:#0b6b60;color:#fff;border-radius:4px}.tabs button[aria-selected=true]{background:#fff;color:#075e54}
.chat{flex:1;overflow-y:auto;list-style:none;margin:0;padding:.5rem}
.msg{max-width:85%;margin:.3rem 0;padding:.4rem .55rem;border-radius:8px;background:#fff;white-space:pre-wrap;word-wrap:break-word;box-shadow:0 1px 1px rgba(0,0,0,.1)}
.msg.mine{margin-left:auto;background:#d9fdd3}
.msg .meta{display:block;text-align:right;font-size:.7rem;color:#667781}.ticks.read{color:#34b7f1}.ticks.failed{color:#c00}
.msg .buttons{display:flex;flex-direction:column;gap:.25rem;margin-top:.4rem}
.msg .buttons button,.msg .buttons a{display:block;text-align:center;border:1px solid #d1d7db;background:#fff;color:#027eb5;padding:.35rem;border-radius:6px;font:inherit;cursor:pointer;text-decoration:none}
.msg.sms{background:#f0f0f0}
.composer{display:flex;gap:.35rem;padding:.4rem;background:#f0f2f5}.composer input{flex:1;padding:.5rem;border:1px solid #ccc;border-radius:18px;font:inherit}
.composer button{border:0;background:#00a884;color:#fff;border-radius:18px;padding:0 .9rem;font-weight:600}
.stk{position:absolute;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center}
.stk[hidden]{display:none}.stk-box{background:#fff;width:85%;padding:1rem;border-radius:6px}
.stk-box h3{margin:0 0 .5rem;color:#3aa935}.stk-box input{width:100%;font-size:1.3rem;padding:.4rem;letter-spacing:.4rem}
.stk-actions{display:flex;gap:.4rem;flex-wrap:wrap;margin-top:.6rem}.stk-actions button{flex:1;padding:.45rem;border:0;border-radius:4px;background:#3aa935;color:#fff;font-weight:600}
.stk-actions #stk-cancel,.stk-actions #stk-timeout{background:#777}
.hint{font-size:.75rem;color:#555}
.panel{flex:1;min-width:300px;max-width:640px;background:#fff;border-radius:8px;padding:.75rem 1rem}
.panel h2{margin:0 0 .25rem;font-size:1rem}.panel h3{margin:.75rem 0 .25rem;font-size:.9rem}
.log{margin:0;padding-left:1.2rem;font:12px/1.5 ui-monospace,monospace;max-height:260px;overflow:auto}.log .ignored{color:#999}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #34b7f1;outline-offset:1px}
`;

export const SANDBOX_PAGE_JS = `
(function () {
  'use strict';
  var cast = null;
  var channel = 'whatsapp';
  var customer = null;
  var shownPrompt = null;
  var $ = function (id) { return document.getElementById(id); };
  var digits = function (p) { return String(p).replace(/\\D/g, ''); };

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      cache: 'no-store'
    }).then(function (r) { return r.json(); });
  }
  function waInbound(phone, body) { return api('POST', '/sandbox/whatsapp/control/users/' + digits(phone) + '/inbound', body); }
  function ticks(entry) {
    if (entry.direction !== 'outbound') return '';
    var t = entry.ticks;
    if (t === -1) return '<span class="ticks failed" title="failed">⚠ failed</span>';
    if (t === 3) return '<span class="ticks read" title="read">✓✓</span>';
    if (t === 2) return '<span class="ticks" title="delivered">✓✓</span>';
    if (t === 1) return '<span class="ticks" title="sent">✓</span>';
    return '<span class="ticks" title="pending">🕓</span>';
  }
  function esc(s) { return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; }); }
  function time(iso) { return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }); }

  /** Reply buttons, list rows, template quick replies and links of a WhatsApp message. */
  function actions(entry) {
    var c = entry.content || {};
    var out = [];
    if (c.type === 'button' && c.action && c.action.buttons) {
      c.action.buttons.forEach(function (b) { out.push({ kind: 'button', id: b.reply.id, title: b.reply.title }); });
    }
    if (c.type === 'list' && c.action && c.action.sections) {
      c.action.sections.forEach(function (s) { (s.rows || []).forEach(function (r) { out.push({ kind: 'list', id: r.id, title: r.title }); }); });
    }
    if (c.type === 'cta_url' && c.action && c.action.parameters) {
      out.push({ kind: 'link', url: c.action.parameters.url, title: c.action.parameters.display_text });
    }
    if (c.name && c.components) {
      c.components.forEach(function (comp) {
        if (comp.type === 'button' && comp.parameters) comp.parameters.forEach(function (p) { out.push({ kind: 'template', id: p.payload, title: 'Pay with M-PESA' }); });
      });
    }
    return out;
  }
  function linkify(text) {
    return esc(text).replace(/(https?:\\/\\/[^\\s<]+)/g, '<a href="$1" target="_blank" rel="noopener">$1</a>');
  }
  function renderChat(list, phone, entries) {
    list.innerHTML = '';
    entries.forEach(function (e) {
      var li = document.createElement('li');
      li.className = 'msg' + (e.direction === 'inbound' ? ' mine' : '');
      li.innerHTML = linkify(e.preview) + '<span class="meta">' + time(e.at) + ' ' + ticks(e) + '</span>';
      var acts = e.direction === 'outbound' ? actions(e) : [];
      if (acts.length) {
        var box = document.createElement('div');
        box.className = 'buttons';
        acts.forEach(function (a) {
          if (a.kind === 'link') {
            var link = document.createElement('a');
            link.href = a.url; link.target = '_blank'; link.rel = 'noopener'; link.textContent = a.title;
            box.appendChild(link);
            return;
          }
          var b = document.createElement('button');
          b.type = 'button';
          b.textContent = a.title;
          b.addEventListener('click', function () {
            var body = a.kind === 'button' ? { buttonReplyId: a.id, title: a.title } : a.kind === 'list' ? { listReplyId: a.id, title: a.title } : { templateButtonPayload: a.id };
            body.contextMessageId = e.id;
            waInbound(phone, body);
          });
          box.appendChild(b);
        });
        li.appendChild(box);
      }
      list.appendChild(li);
    });
    list.scrollTop = list.scrollHeight;
  }
  function renderSms(list, messages) {
    list.innerHTML = '';
    messages.forEach(function (m) {
      var li = document.createElement('li');
      li.className = 'msg sms' + (m.mine ? ' mine' : '');
      li.innerHTML = linkify(m.message) + '<span class="meta">' + time(m.sentAt) + ' ' + esc(m.status || '') + '</span>';
      list.appendChild(li);
    });
    list.scrollTop = list.scrollHeight;
  }

  var smsSent = {};
  function refreshMerchant() {
    return api('GET', '/sandbox/whatsapp/control/users/' + digits(cast.merchant.phone) + '/transcript').then(function (t) {
      renderChat($('merchant-chat'), cast.merchant.phone, t.messages || []);
    });
  }
  // A transcript fetched before the person's last click on "Not on WhatsApp" reached the
  // simulator must not flip the box back.
  var settingEdits = 0;
  var settingWrites = 0;
  function refreshCustomer() {
    if (!customer) return Promise.resolve();
    if (channel === 'whatsapp') {
      var editsBefore = settingEdits;
      return api('GET', '/sandbox/whatsapp/control/users/' + digits(customer.phone) + '/transcript').then(function (t) {
        if (settingWrites === 0 && editsBefore === settingEdits) {
          $('not-on-whatsapp').checked = !!(t.settings && t.settings.notOnWhatsApp);
        }
        renderChat($('customer-chat'), customer.phone, t.messages || []);
      });
    }
    return api('GET', '/sandbox/africastalking/control/inbox/' + encodeURIComponent(customer.phone)).then(function (box) {
      var mine = (smsSent[customer.phone] || []);
      var all = (box.messages || []).concat(mine).sort(function (a, b) { return a.sentAt < b.sentAt ? -1 : 1; });
      renderSms($('customer-chat'), all);
    });
  }
  function refreshPanel() {
    if (!customer) return Promise.resolve();
    return api('GET', '/sandbox/api/timeline?phone=' + encodeURIComponent(customer.phone)).then(function (tl) {
      $('invoice-ref').textContent = tl.invoice ? tl.invoice.ref : '(none yet)';
      $('invoice-state').textContent = tl.invoice ? 'State ' + tl.invoice.state + ' · paid KES ' + tl.invoice.amountPaid + ' of ' + tl.invoice.amount : 'Create an invoice for this customer in the merchant chat.';
      $('transitions').innerHTML = tl.transitions.map(function (t) {
        return '<li class="' + (t.accepted ? '' : 'ignored') + '">' + time(t.at) + ' ' + esc(t.machine) + ': ' + esc(t.from || '·') + ' → ' + esc(t.to || '·') + ' on ' + esc(t.event) + ' (' + esc(t.source) + ')' + (t.accepted ? '' : ' ignored') + '</li>';
      }).join('');
      $('outbox').innerHTML = tl.outbox.map(function (o) {
        return '<li>#' + esc(o.id) + ' ' + esc(o.kind) + ' ' + esc(o.status) + (o.attempts ? ' ×' + o.attempts : '') + (o.lastError ? ' — ' + esc(o.lastError) : '') + '</li>';
      }).join('');
    });
  }
  function refreshPrompt() {
    if (!customer) return Promise.resolve();
    return api('GET', '/sandbox/daraja/control/prompts').then(function (r) {
      var prompts = (r.prompts || []).filter(function (p) { return digits(p.phone).slice(-9) === digits(customer.phone).slice(-9) && p.mode === 'interactive'; });
      var p = prompts[0];
      if (!p) { $('stk').hidden = true; shownPrompt = null; return; }
      if (shownPrompt === p.checkoutRequestId) return;
      shownPrompt = p.checkoutRequestId;
      $('stk-text').textContent = 'Do you want to pay KES ' + p.amount + ' to ' + cast.merchant.name + ' for account ' + p.accountReference + '?';
      $('stk-pin').value = '';
      $('stk').hidden = false;
      $('stk-pin').focus();
    });
  }
  function respond(action) {
    var id = shownPrompt;
    $('stk').hidden = true;
    if (id) api('POST', '/sandbox/daraja/control/prompts/' + encodeURIComponent(id) + '/respond', { action: action, delayMs: 300 });
  }
  var pending = null;
  function refreshAll() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      refreshMerchant(); refreshCustomer(); refreshPanel(); refreshPrompt();
    }, 120);
  }

  function selectChannel(next) {
    channel = next;
    $('tab-whatsapp').setAttribute('aria-selected', String(next === 'whatsapp'));
    $('tab-sms').setAttribute('aria-selected', String(next === 'sms'));
    $('customer-channel-label').textContent = next === 'whatsapp' ? 'WhatsApp' : 'SMS';
    refreshCustomer();
  }

  api('GET', '/sandbox/api/cast').then(function (c) {
    cast = c;
    $('merchant-name').textContent = c.merchant.name + ' · ' + c.merchant.phone;
    $('stk-demo-pin').textContent = c.pin;
    c.customers.forEach(function (cu, i) {
      var o = document.createElement('option');
      o.value = String(i); o.textContent = cu.name + ' · ' + cu.phone;
      $('customer-select').appendChild(o);
    });
    customer = c.customers[0];
    refreshAll();
    var source = new EventSource('/sandbox/api/events');
    ['whatsapp', 'sms', 'machine'].forEach(function (t) { source.addEventListener(t, refreshAll); });
    setInterval(refreshPrompt, 1000);
  });

  $('customer-select').addEventListener('change', function (e) { customer = cast.customers[Number(e.target.value)]; shownPrompt = null; refreshAll(); });
  $('tab-whatsapp').addEventListener('click', function () { selectChannel('whatsapp'); });
  $('tab-sms').addEventListener('click', function () { selectChannel('sms'); });
  $('not-on-whatsapp').addEventListener('change', function (e) {
    settingEdits += 1;
    settingWrites += 1;
    api('POST', '/sandbox/whatsapp/control/users/' + digits(customer.phone) + '/settings', { notOnWhatsApp: e.target.checked })
      .finally(function () { settingWrites -= 1; });
  });
  $('merchant-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = $('merchant-input').value.trim();
    if (!text) return;
    $('merchant-input').value = '';
    waInbound(cast.merchant.phone, { text: text, profileName: cast.merchant.name }).then(refreshAll);
  });
  $('customer-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = $('customer-input').value.trim();
    if (!text) return;
    $('customer-input').value = '';
    if (channel === 'whatsapp') {
      waInbound(customer.phone, { text: text, profileName: customer.name }).then(refreshAll);
    } else {
      (smsSent[customer.phone] = smsSent[customer.phone] || []).push({ message: text, sentAt: new Date().toISOString(), mine: true, status: 'sent' });
      api('POST', '/sandbox/africastalking/control/inbound', { from: customer.phone, text: text }).then(refreshAll);
    }
  });
  $('stk-ok').addEventListener('click', function () { respond($('stk-pin').value === cast.pin ? 'pin' : 'wrong_pin'); });
  $('stk-cancel').addEventListener('click', function () { respond('cancel'); });
  $('stk-timeout').addEventListener('click', function () { respond('timeout'); });
})();
`;
