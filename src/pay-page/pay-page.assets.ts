/**
 * The pay page's stylesheet and script, served as files (the CSP allows no inline script).
 * Plain ES5 and CSS with no framework: the page must load fast on a cheap phone over 3G.
 */
export const PAY_PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f4f6f5}
main{max-width:28rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.25rem;margin:0 0 .25rem}
.merchant{color:#3d3d3d;margin:0 0 1rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.35rem 1rem;margin:0 0 1.25rem}
dt{color:#4a4a4a}dd{margin:0;text-align:right;font-weight:600}
dt.balance,dd.balance{font-size:1.125rem;color:#0b5d1e}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
.hint{font-size:.875rem;color:#4a4a4a;margin:.2rem 0 0}
input{width:100%;font-size:1.125rem;padding:.7rem;border:2px solid #6b6b6b;border-radius:8px}
input:focus{outline:3px solid #0b5d1e;outline-offset:1px;border-color:#0b5d1e}
button{margin-top:1.25rem;width:100%;padding:.9rem;font-size:1.125rem;font-weight:700;color:#fff;background:#0b5d1e;border:0;border-radius:8px;cursor:pointer}
button:disabled{background:#5a6b5e;cursor:progress}
button:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}
.status{margin:1rem 0 0;padding:.75rem;border-radius:8px}
.status:empty{display:none}
.info{background:#e8f0fe;color:#13335c}.error{background:#fde8e8;color:#7a1010}.success{background:#e6f4ea;color:#0b5d1e}
.lang{display:block;text-align:right;margin-bottom:.5rem;color:#0b4f8a}
a{color:#0b4f8a}
footer{font-size:.8rem;color:#4a4a4a;text-align:center;margin-top:1rem}
`;

export const PAY_PAGE_JS = `
(function () {
  'use strict';
  var root = document.getElementById('pay');
  if (!root) return;
  var token = root.getAttribute('data-token');
  var lang = root.getAttribute('data-lang');
  var texts = JSON.parse(document.getElementById('pay-texts').textContent);
  var form = document.getElementById('pay-form');
  var button = document.getElementById('pay-button');
  var status = document.getElementById('status');
  var polling = null;

  function show(message, kind) {
    status.textContent = message;
    status.className = 'status ' + kind;
  }
  function ready(label) {
    button.disabled = false;
    button.textContent = label;
  }
  function setAmounts(s) {
    var paid = document.getElementById('amount-paid');
    var balance = document.getElementById('balance');
    if (paid) paid.textContent = s.amountPaidText;
    if (balance) balance.textContent = s.balanceText;
    var amount = document.getElementById('amount');
    if (amount && s.balance > 0) {
      amount.value = s.balance;
      amount.max = s.balance;
    }
  }
  function finish(s) {
    setAmounts(s);
    if (s.state === 'PAID') {
      show(s.message, 'success');
      if (form) form.hidden = true;
      var receipt = document.getElementById('receipt');
      if (receipt) receipt.hidden = false;
    } else {
      show(s.message, 'success');
      ready(texts.pay);
    }
  }
  function poll(paymentId) {
    var started = Date.now();
    if (polling) clearTimeout(polling);
    (function tick() {
      fetch('/pay/' + token + '/status?lang=' + lang, { headers: { Accept: 'application/json' }, cache: 'no-store' })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var p = s.payment;
          if (p && p.id === paymentId) {
            if (p.status === 'succeeded') return finish(s);
            if (p.status === 'failed' || p.status === 'review') {
              show(s.message, 'error');
              return ready(texts.tryAgain);
            }
          }
          if (Date.now() - started > 120000) {
            show(texts.stillWaiting, 'info');
            return ready(texts.tryAgain);
          }
          polling = setTimeout(tick, 2000);
        })
        .catch(function () { polling = setTimeout(tick, 4000); });
    })();
  }

  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var phone = document.getElementById('phone').value;
      var amountInput = document.getElementById('amount');
      var body = { phone: phone };
      if (amountInput) body.amount = Number(amountInput.value);
      button.disabled = true;
      show(texts.sending, 'info');
      fetch('/pay/' + token + '/pay?lang=' + lang, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body)
      })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (res) {
          if (res.ok) {
            show(texts.waiting, 'info');
            poll(res.body.paymentId);
          } else {
            var m = res.body && res.body.message;
            show(typeof m === 'string' ? m : texts.busy, 'error');
            ready(texts.tryAgain);
          }
        })
        .catch(function () {
          show(texts.busy, 'error');
          ready(texts.tryAgain);
        });
    });
  }
  var pending = root.getAttribute('data-pending');
  if (pending) {
    button && (button.disabled = true);
    show(texts.waiting, 'info');
    poll(pending);
  }
})();
`;
