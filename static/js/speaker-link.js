// The speaker's personal link carries its secret after "#", which browsers never send: hand it
// to the server in a POST, then drop it from the address bar and history.
(function () {
  "use strict";
  var secret = window.location.hash.slice(1);
  var form = document.getElementById("speaker-link-form");
  if (!secret || !form) {
    return;
  }
  history.replaceState(null, "", window.location.pathname);
  form.elements.token.value = decodeURIComponent(secret);
  form.submit();
})();
