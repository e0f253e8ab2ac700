// unsubscribe.js: the page behind an e-mail's unsubscribe link
// (/unsubscribe/TOKEN redirects here with #token=...). Opening it changes
// nothing; the button posts to the same one-click URL mail clients use
// (RFC 8058), without the session cookie.
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
if (location.hash) history.replaceState(null, '', location.pathname + location.search);
const form = document.getElementById('unsub-form');

function show(id) {
  form.hidden = true;
  const panel = document.getElementById(id);
  panel.hidden = false;
  panel.focus();
}

if (!TOKEN_RE.test(token)) {
  show('gone');
} else {
  form.hidden = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const res = await fetch('/unsubscribe/' + encodeURIComponent(token), {
        method: 'POST', credentials: 'omit',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      if (res.ok) {
        const body = await res.json();
        document.getElementById('discussion-link').href = '/discussion.html?id=' + Number(body.discussion_id);
        show('done');
      } else if (res.status === 410) show('gone');
      else show('failed');
    } catch {
      show('failed');
    } finally {
      button.disabled = false;
    }
  });
}
