// Knowledge-base uploads with progress (the form works without this script: one post, a result page).
// Each file is sent on its own request (XMLHttpRequest: upload progress), then its state is polled
// until the bot answers from it (a background job under `civicbot run`); then the list is reloaded.
(function () {
  "use strict";
  var form = document.getElementById("kb-upload");
  var list = document.getElementById("kb-progress");
  if (!form || !list || !window.XMLHttpRequest || !window.FormData) { return; }
  var labels = list.dataset;

  function item(file) {
    var li = document.createElement("li");
    var name = document.createElement("strong");
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var state = document.createElement("span");
    state.className = "state";
    state.textContent = labels.sending;
    var messages = document.createElement("div");
    messages.className = "messages";
    li.appendChild(name); li.appendChild(document.createTextNode(" ")); li.appendChild(bar);
    li.appendChild(document.createTextNode(" ")); li.appendChild(state); li.appendChild(messages);
    list.appendChild(li);
    return {li: li, bar: bar, state: state, messages: messages};
  }

  function show(view, upload) {
    var text = labels[upload.state] || upload.state;
    view.state.textContent = upload.progress ? text + " (" + upload.progress + ")" : text;
    view.li.dataset.state = upload.state;
    view.messages.textContent = "";
    (upload.messages || []).forEach(function (m) {
      var p = document.createElement("p");
      p.className = "reply";
      p.textContent = m;
      view.messages.appendChild(p);
    });
    if (upload.finished) { view.bar.value = 100; }
  }

  function follow(view, upload) {
    return new Promise(function (resolve) {
      function poll() {
        fetch(upload.status_url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) {
            if (!data) { view.state.textContent = labels.error; resolve(); return; }
            show(view, data);
            if (data.finished) { resolve(); } else { setTimeout(poll, 1000); }
          })
          .catch(function () { view.state.textContent = labels.error; resolve(); });
      }
      if (upload.finished) { resolve(); } else { setTimeout(poll, 700); }
    });
  }

  function send(file, extra) {
    var view = item(file);
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("files", file, file.name);
      extra.forEach(function (pair) { data.append(pair[0], pair[1]); });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { view.bar.value = Math.round(90 * e.loaded / e.total); }
      });
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if (xhr.status !== 200 || !body || !body.uploads) {
          view.state.textContent = (body && body.error) || labels.error;
          view.li.dataset.state = "error";
          resolve();
          return;
        }
        var upload = body.uploads[0];
        show(view, upload);
        view.bar.value = upload.finished ? 100 : 95;
        follow(view, upload).then(resolve);
      };
      xhr.onerror = function () { view.state.textContent = labels.error; resolve(); };
      xhr.send(data);
    });
  }

  function reloadDocs() {
    var target = document.getElementById("kb-docs");
    if (!target || !form.dataset.docs) { return; }
    fetch(form.dataset.docs, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { target.innerHTML = html; } });
  }

  form.addEventListener("submit", function (event) {
    var input = document.getElementById("kb-files");
    if (!input || !input.files || input.files.length === 0) { return; }
    event.preventDefault();
    var extra = [];
    ["region", "program"].forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value) { extra.push([name, field.value]); }
    });
    var files = Array.prototype.slice.call(input.files);
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    list.textContent = "";
    files.reduce(function (chain, file) {
      return chain.then(function () { return send(file, extra); });
    }, Promise.resolve()).then(function () {
      if (button) { button.disabled = false; }
      input.value = "";
      reloadDocs();
    });
  });
}());
