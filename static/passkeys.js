// Passkeys (WebAuthn): registering one on the account page and signing in
// with one on the login page. A form marked .passkey-form names where its
// options come from (data-options); the script asks the server for them,
// lets the browser talk to the authenticator, puts the answer in the form's
// hidden "credential" field and sends the form as usual. Without
// JavaScript, or in a browser without WebAuthn, the button stays hidden and
// the form says that passkeys need JavaScript. Binary values travel as
// base64url without padding, encoded and decoded here by hand.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form.passkey-form");
  if (!forms.length || !window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function decode(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) {
      b64 += "=";
    }
    var raw = window.atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function encode(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) {
      raw += String.fromCharCode(bytes[i]);
    }
    return window.btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // The server's options with their binary members as ArrayBuffers.
  function creationOptions(o) {
    var pk = o.publicKey;
    pk.challenge = decode(pk.challenge);
    pk.user.id = decode(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) {
      c.id = decode(c.id);
    });
    return { publicKey: pk };
  }

  function requestOptions(o) {
    var pk = o.publicKey;
    pk.challenge = decode(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) {
      c.id = decode(c.id);
    });
    return { publicKey: pk };
  }

  // The authenticator's answer as the JSON go-webauthn reads.
  function answerJSON(cred) {
    var r = cred.response;
    var response = { clientDataJSON: encode(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = encode(r.attestationObject);
      if (r.getTransports) {
        response.transports = r.getTransports();
      }
    } else {
      response.authenticatorData = encode(r.authenticatorData);
      response.signature = encode(r.signature);
      response.userHandle = encode(r.userHandle);
    }
    return JSON.stringify({
      id: cred.id,
      rawId: encode(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: response
    });
  }

  Array.prototype.forEach.call(forms, function (form) {
    var shown = form.querySelector("[data-passkey-js]");
    var button = form.querySelector("button[type=submit]");
    var note = form.querySelector("[data-passkey-nojs]");
    var message = form.querySelector("[data-passkey-message]");
    var field = form.querySelector("input[name=credential]");
    var csrf = form.querySelector("input[name=_csrf]");
    var registering = !!form.querySelector("input[name=name]");
    if (!shown || !button || !field) {
      return;
    }
    shown.hidden = false;
    if (note) {
      note.hidden = true;
    }

    function fail(err) {
      button.disabled = false;
      if (message) {
        message.textContent = (err && err.serverMessage) || form.getAttribute("data-error");
        message.hidden = false;
      }
    }

    // A passkey belongs to a domain name: on an address (127.0.0.1, [::1])
    // no browser offers one, so the page says what to do instead.
    var host = location.hostname;
    if (/^[0-9.]+$/.test(host) || host.indexOf(":") >= 0 || host.charAt(0) === "[") {
      shown.hidden = true;
      if (message) {
        message.textContent = form.getAttribute("data-needs-domain");
        message.hidden = false;
        message.removeAttribute("role");
      }
      return;
    }

    form.addEventListener("submit", function (event) {
      if (field.value) {
        return;
      }
      event.preventDefault();
      if (registering && !form.querySelector("input[name=name]").value.trim()) {
        // The server says what is missing, next to the field.
        field.value = "";
        HTMLFormElement.prototype.submit.call(form);
        return;
      }
      button.disabled = true;
      if (message) {
        message.hidden = true;
      }
      fetch(form.getAttribute("data-options"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf ? csrf.value : "", Accept: "application/json" }
      })
        .then(function (res) {
          if (!res.ok) {
            // The server's reason, in the reader's language, when it
            // gives one.
            return res.json().then(
              function (body) {
                var e = new Error("options: " + res.status);
                e.serverMessage = body && (body.message || body.error);
                throw e;
              },
              function () {
                throw new Error("options: " + res.status);
              }
            );
          }
          return res.json();
        })
        .then(function (options) {
          return registering
            ? navigator.credentials.create(creationOptions(options))
            : navigator.credentials.get(requestOptions(options));
        })
        .then(function (cred) {
          field.value = answerJSON(cred);
          HTMLFormElement.prototype.submit.call(form);
        })
        .catch(fail);
    });
  });
})();
