// Passkeys (WebAuthn) as the second step of a sign-in, and adding one (accounts/passkeys.py).
// The server (django-otp-webauthn) sends the options and checks the answer: challenge, origin, relying party,
// signature and sign count are all verified there. This script only carries them between the server and the
// browser's navigator.credentials, and shows the page's own (translated) messages, kept in data-msg-* attributes.
// Without JavaScript, or in a browser without WebAuthn, the paragraph .passkey-needs-js stays and says so.
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "===".slice((base64.length + 3) % 4);
    var text = atob(base64);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return {type: item.type, id: toBytes(item.id), transports: item.transports};
    });
  }

  function show(root, message, kind) {
    var status = root.querySelector(".passkey-status");
    status.textContent = message;
    status.className = "passkey-status mt-3 alert alert-" + kind;
    status.hidden = !message;
  }

  function post(root, url, body) {
    var token = root.querySelector("input[name=csrfmiddlewaretoken]").value;
    var options = {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": token, "Accept": "application/json"}};
    if (body) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw {server: true, code: data.code}; }
        return data;
      });
    });
  }

  function credentialJSON(credential, response) {
    var data = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: {clientDataJSON: toBase64url(response.clientDataJSON)}
    };
    if (response.attestationObject) {
      data.response.attestationObject = toBase64url(response.attestationObject);
      data.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      data.response.authenticatorData = toBase64url(response.authenticatorData);
      data.response.signature = toBase64url(response.signature);
      data.response.userHandle = response.userHandle ? toBase64url(response.userHandle) : null;
    }
    return data;
  }

  function failure(root, error) {
    var name = error && error.name;
    var message = root.dataset.msgError;
    if (error && error.server) {
      message = root.dataset.msgRefused;
    } else if (name === "NotAllowedError" || name === "AbortError") {
      message = root.dataset.msgCancelled;
    } else if (name === "InvalidStateError") {
      message = root.dataset.msgKnown || message;
    }
    show(root, message, "danger");
  }

  function register(root, form) {
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      show(root, root.dataset.msgWorking, "info");
      post(root, root.dataset.beginUrl).then(function (options) {
        options.challenge = toBytes(options.challenge);
        options.user.id = toBytes(options.user.id);
        options.excludeCredentials = descriptors(options.excludeCredentials);
        return navigator.credentials.create({publicKey: options});
      }).then(function (credential) {
        var body = credentialJSON(credential, credential.response);
        body.name = form.querySelector("input[name=name]").value;
        return post(root, root.dataset.completeUrl, body);
      }).then(function (data) {
        window.location.assign(data.redirect_url);
      }).catch(function (error) {
        button.disabled = false;
        failure(root, error);
      });
    });
  }

  function authenticate(root, button) {
    button.addEventListener("click", function () {
      button.disabled = true;
      show(root, root.dataset.msgWorking, "info");
      post(root, root.dataset.beginUrl).then(function (options) {
        options.challenge = toBytes(options.challenge);
        options.allowCredentials = descriptors(options.allowCredentials);
        return navigator.credentials.get({publicKey: options});
      }).then(function (credential) {
        var url = root.dataset.completeUrl;
        if (root.dataset.next) { url += "?" + new URLSearchParams({next: root.dataset.next}).toString(); }
        return post(root, url, credentialJSON(credential, credential.response));
      }).then(function (data) {
        window.location.assign(data.redirect_url);
      }).catch(function (error) {
        button.disabled = false;
        failure(root, error);
      });
    });
  }

  var supported = !!(window.PublicKeyCredential && navigator.credentials && window.fetch);
  document.querySelectorAll("[data-passkey]").forEach(function (root) {
    if (!supported) { return; }
    var control = root.querySelector(".passkey-control");
    root.querySelector(".passkey-needs-js").hidden = true;
    control.hidden = false;
    if (root.dataset.passkey === "register") { register(root, control); } else { authenticate(root, control); }
  });
})();
