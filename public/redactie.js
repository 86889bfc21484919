// Public case pages (views/voorbeelden/show.html): a signed-in editor gets a
// "Bewerken" link. The page itself is the same for everyone (and cached); only a
// browser with the editor marker cookie, set at sign-in, asks the server for the
// link, which answers per session and is never cached.
(function () {
  'use strict';
  var slot = document.getElementById('bewerk-link');
  if (!slot || !/(?:^|;\s*)(?:__Host-)?ot_redacteur=1(?:;|$)/.test(document.cookie)) {
    return;
  }
  fetch('/redactie/bewerklink?pad=' + encodeURIComponent(location.pathname), {credentials: 'same-origin'})
    .then(function (r) {
      return r.status === 200 ? r.json() : null;
    })
    .then(function (d) {
      if (!d || typeof d.url !== 'string' || d.url.indexOf('/beheer/') !== 0) {
        return;
      }
      var a = document.createElement('a');
      a.href = d.url;
      a.className = 'button button--secondary';
      a.textContent = 'Bewerken';
      slot.appendChild(a);
      slot.hidden = false;
    })
    .catch(function () {});
}());
