// lang.js: chooses the language of the page (ru, tt or en) before anything
// is shown. Loaded in <head> as a classic blocking script, like a11y.js:
// <html lang> is set at once, and a page in Tatar or English stays hidden
// (html.i18n-pending, site.css) until i18n.js has put its texts in, so no
// Russian flashes first. The choice comes from ?lang= (the language switch
// in the header: kept in the cookie `lang` for a year), then the cookie,
// then, on a first visit, the browser's languages (Accept-Language).
// Logged in, the account has a language too (its e-mails use it): a switch
// is saved on the account (PATCH /api/v1/me), and signing in sets the
// cookie to the account's language (the server's Set-Cookie), so the next
// page follows it with no extra reload.
(function () {
  'use strict';
  var LANGS = ['ru', 'tt', 'en'];
  var root = document.documentElement;
  var YEAR = 365 * 24 * 3600;
  function known(l) { return LANGS.indexOf(l) >= 0 ? l : null; }
  function fromCookie() {
    var m = document.cookie.match(/(?:^|;\s*)lang=([a-z]{2})(?:;|$)/);
    return m ? known(m[1]) : null;
  }
  function fromBrowser() {
    var list = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
    for (var i = 0; i < list.length; i++) {
      var l = known(String(list[i]).toLowerCase().split('-')[0]);
      if (l) return l;
    }
    return null;
  }
  // a switch while logged in is also the account's language (anonymous: 401, nothing saved)
  function saveOnAccount(l) {
    if (!window.fetch) return;
    var json = { Accept: 'application/json' };
    fetch('/api/v1/session', { credentials: 'same-origin', headers: json })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s || !s.account || s.account.language === l) return null;
        return fetch('/api/v1/me', {
          method: 'PATCH',
          credentials: 'same-origin',
          headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
          body: JSON.stringify({ language: l }),
        });
      })
      .catch(function () { /* the cookie keeps the choice for this browser */ });
  }
  var lang = null;
  try {
    var url = new URL(location.href);
    lang = known(url.searchParams.get('lang'));
    if (lang) {
      document.cookie = 'lang=' + lang + '; path=/; max-age=' + YEAR + '; SameSite=Lax' +
        (location.protocol === 'https:' ? '; Secure' : '');
      url.searchParams.delete('lang');
      history.replaceState(history.state, '', url.pathname + url.search + url.hash);
      saveOnAccount(lang);
    }
  } catch (e) { /* no URL API: the cookie or the browser decides */ }
  lang = lang || fromCookie() || fromBrowser() || 'ru';
  root.lang = lang;
  if (lang !== 'ru') {
    root.classList.add('i18n-pending');
    // shown anyway if the page's script never runs (no module support, an error)
    setTimeout(function () { root.classList.remove('i18n-pending'); }, 3000);
  }
})();
