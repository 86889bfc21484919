// Editors' pages (loaded by views/partials/beheer-nav.html). Nothing typed is lost:
// - a form marked data-bewaak that was changed asks before the page is left (not
//   after it was submitted, nor once the server kept its text: event
//   "sessie-verlopen");
// - before the session ends a warning offers to extend it (POST /beheer/sessie).
//   Every editor response says how long the session lasts (X-Sessie-Seconden);
//   htmx requests such as the autosave keep the timer right.
(function () {
  'use strict';

  var dirty = false;
  document.addEventListener('input', function (e) {
    var form = e.target && e.target.form;
    if (form && form.hasAttribute('data-bewaak')) {
      dirty = true;
    }
  });
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.hasAttribute('data-bewaak')) {
      // A preview in a new tab leaves this page as it is.
      if (e.submitter && e.submitter.formTarget === '_blank') {
        return;
      }
      dirty = false;
    } else if (form.hasAttribute('data-zonder-vragen')) {
      dirty = false;
    }
  });
  window.addEventListener('beforeunload', function (e) {
    if (dirty) {
      e.preventDefault();
      e.returnValue = '';
    }
  });
  document.addEventListener('sessie-verlopen', function () {
    dirty = false;
  });

  var box = document.getElementById('sessie-waarschuwing');
  if (!box) {
    return;
  }
  var text = document.getElementById('sessie-tekst');
  var button = document.getElementById('sessie-verlengen');
  var warnBefore = 120; // seconds
  var ends = 0;
  var timer = null;

  function clock(t) {
    var d = new Date(t);
    return d.getHours() + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  function schedule(seconds) {
    if (!(seconds > 0)) {
      return;
    }
    ends = Date.now() + seconds * 1000;
    box.hidden = true;
    clearTimeout(timer);
    timer = setTimeout(warn, Math.max(0, (seconds - warnBefore) * 1000));
  }

  function warn() {
    var left = ends - Date.now();
    if (left <= 1000) {
      expired();
      return;
    }
    text.textContent = 'Uw sessie verloopt om ' + clock(ends) + ' als u niets doet. Daarna moet u opnieuw inloggen.';
    button.hidden = false;
    box.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(expired, left);
  }

  function expired() {
    text.textContent = 'Uw sessie is verlopen. Wat u typte gaat niet verloren: kies een van de opslaan-knoppen, log opnieuw in, en uw tekst staat weer in het formulier.';
    button.hidden = true;
    box.hidden = false;
  }

  button.addEventListener('click', function () {
    fetch('/beheer/sessie', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'X-Csrf-Token': box.getAttribute('data-csrf')}
    }).then(function (r) {
      if (!r.ok || (r.headers.get('Content-Type') || '').indexOf('json') < 0) {
        throw new Error('not extended');
      }
      return r.json();
    }).then(function (d) {
      schedule(d.seconden);
      if (ends - Date.now() <= warnBefore * 1000) {
        text.textContent = 'Langer kan niet: een sessie duurt hoogstens 12 uur. Sla uw werk op en log opnieuw in.';
        button.hidden = true;
        box.hidden = false;
      }
    }).catch(function () {
      expired();
    });
  });

  document.addEventListener('htmx:afterRequest', function (e) {
    var xhr = e.detail && e.detail.xhr;
    var s = xhr && xhr.getResponseHeader('X-Sessie-Seconden');
    if (s) {
      schedule(Number(s));
    }
  });

  schedule(Number(box.getAttribute('data-seconden')));
}());
