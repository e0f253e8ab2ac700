// confirm-email.js: confirms the e-mail address with the single-use token
// of the sign-up link (confirm-email.html#token=...). The token is taken
// out of the address bar at once so it does not stay in the history.
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
if (location.hash) history.replaceState(null, '', location.pathname + location.search);

function show(id) {
  document.getElementById('working').hidden = true;
  const panel = document.getElementById(id);
  panel.hidden = false;
  panel.focus();
}

async function run() {
  if (!TOKEN_RE.test(token)) { show('gone'); return; }
  try {
    const res = await fetch('/api/v1/email-confirmations/' + encodeURIComponent(token), {
      method: 'POST', credentials: 'omit',
    });
    if (res.ok) show('done');
    else if (res.status === 410) show('gone');
    else show('failed');
  } catch {
    show('failed');
  }
}

run();
