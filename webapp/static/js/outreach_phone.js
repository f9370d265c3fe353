// The outreach officer's phone pages (/o). Everything here is an enhancement: without this script
// the form posts as plain HTML (the place list comes in a second step). With it:
// - every field is kept in localStorage as it is typed, and the photos (shrunk on the phone to the
//   server's size) in IndexedDB, under the draft's client_token, until the server has them: a reload,
//   a dropped connection or a failed upload loses nothing;
// - the form is sent with XHR (upload progress, a timeout) asking for JSON; field errors come back
//   by input name; a network failure or a 5xx keeps everything and retries (button, when the phone
//   is back online, and after a while); the same client_token makes a retry record the event once.
// No inline handlers (CSP).
(function () {
  "use strict";

  var MEANINGFUL = ["type", "place_id", "place_name", "audience", "households", "note", "partners", "forms",
    "material_quantity"];

  function readDraft(key) {
    try { return JSON.parse(localStorage.getItem(key)) || null; } catch (e) { return null; }
  }
  function filled(value) {
    if (Array.isArray(value)) { return value.some(filled); }
    return value !== undefined && value !== null && String(value).trim() !== "";
  }
  function hasContent(draft) {
    if (!draft || !draft.fields) { return false; }
    return draft.photos > 0 || MEANINGFUL.some(function (name) { return filled(draft.fields[name]); });
  }

  // ------------------------------------------------------------------ home: an unsent draft
  var banner = document.querySelector("[data-draft-banner]");
  if (banner && hasContent(readDraft(banner.getAttribute("data-draft-key")))) { banner.hidden = false; }

  var form = document.getElementById("record");
  if (!form) { return; }

  var draftKey = form.getAttribute("data-draft-key");
  var maxPhotos = parseInt(form.getAttribute("data-max-photos"), 10) || 12;
  var maxSide = parseInt(form.getAttribute("data-max-side"), 10) || 1600;
  var maxRequest = parseInt(form.getAttribute("data-max-request"), 10) || 20 * 1024 * 1024;
  var placesUrl = form.getAttribute("data-places-url");
  var tokenInput = form.querySelector("input[name=client_token]");
  var town = form.querySelector("select[name=town]");
  var placeSelect = form.querySelector("select[name=place_id]");
  var search = form.querySelector("input[name=q]");
  var placeBox = form.querySelector("[data-place-box]");
  var namedBox = form.querySelector("[data-named-box]");
  var householdsBox = form.querySelector("[data-households-box]");
  var placeTitle = form.querySelector("[data-place-title]");
  var submitButton = form.querySelector("#submit");
  var retryButton = form.querySelector("[data-retry]");
  var statusBox = form.querySelector("[data-status]");
  var photoList = form.querySelector("[data-photo-list]");
  var photoNote = form.querySelector("[data-photo-note]");
  var restoredNotice = document.querySelector("[data-restored]");
  var SKIP = { csrf_token: true, client_token: true, material_kind: true };

  // The second step of the form without script is not needed: the place list loads by itself.
  var step = form.querySelector("[data-step]");
  if (step) { step.parentNode.removeChild(step); }

  function newToken() {
    var chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    var bytes = new Uint8Array(24), out = "", i;
    if (window.crypto && window.crypto.getRandomValues) { window.crypto.getRandomValues(bytes); } else {
      for (i = 0; i < bytes.length; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    for (i = 0; i < bytes.length; i++) { out += chars.charAt(bytes[i] & 63); }
    return out;
  }

  function show(text, tone) {
    statusBox.textContent = text || "";
    statusBox.className = "status" + (tone ? " " + tone : "");
  }
  function megabytes(bytes) {
    return bytes < 1024 * 1024 ? Math.max(1, Math.round(bytes / 1024)) + " KB" : (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  // ------------------------------------------------------------------ photos kept in IndexedDB
  var store = (function () {
    var opening = null;
    function open() {
      if (opening) { return opening; }
      opening = new Promise(function (resolve) {
        var request;
        try { request = window.indexedDB.open("outreach-phone", 1); } catch (e) { resolve(null); return; }
        request.onupgradeneeded = function () {
          request.result.createObjectStore("photos", { keyPath: "id", autoIncrement: true }).createIndex("token", "token");
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = request.onblocked = function () { resolve(null); };
      });
      return opening;
    }
    function run(mode, work) {
      return open().then(function (db) {
        if (!db) { return null; }
        return new Promise(function (resolve) {
          var tx, result = null;
          try { tx = db.transaction("photos", mode); } catch (e) { resolve(null); return; }
          var request = work(tx.objectStore("photos"));
          if (request) { request.onsuccess = function () { result = request.result; }; }
          tx.oncomplete = function () { resolve(result); };
          tx.onerror = tx.onabort = function () { resolve(null); };
        });
      });
    }
    function deleteWhere(test) {
      return run("readwrite", function (objects) {
        var cursor = objects.openCursor();
        cursor.onsuccess = function () {
          var at = cursor.result;
          if (!at) { return; }
          if (test(at.value)) { at["delete"](); }
          at["continue"]();
        };
      });
    }
    return {
      add: function (record) { return run("readwrite", function (objects) { return objects.add(record); }); },
      list: function (token) {
        return run("readonly", function (objects) { return objects.index("token").getAll(token); }).then(function (rows) {
          return rows || [];
        });
      },
      remove: function (id) { return run("readwrite", function (objects) { return objects["delete"](id); }); },
      clear: function (token) { return deleteWhere(function (row) { return row.token === token; }); },
      // this user's photos of drafts that are gone (sent, or cleared on another page)
      prune: function (owner, token) {
        return deleteWhere(function (row) { return row.owner === owner && row.token !== token; });
      }
    };
  })();

  // ------------------------------------------------------------------ the draft in localStorage
  var draft = readDraft(draftKey);
  var photos = [];  // {id, name, blob, url}

  function collect() {
    var out = {}, counts = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && !SKIP[el.name] && el.type !== "radio" && el.type !== "checkbox") { counts[el.name] = (counts[el.name] || 0) + 1; }
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file" || el.type === "submit" || el.type === "button") { return; }
      if (el.type === "radio") {
        if (el.checked) { out[el.name] = el.value; } else if (!(el.name in out)) { out[el.name] = ""; }
      } else if (el.type === "checkbox") {
        out[el.name] = out[el.name] || [];
        if (el.checked) { out[el.name].push(el.value); }
      } else if (counts[el.name] > 1) {
        (out[el.name] = out[el.name] || []).push(el.value);
      } else {
        out[el.name] = el.value;
      }
    });
    return out;
  }

  function ensureOption(select, value, label) {
    if (!value) { return; }
    var found = Array.prototype.some.call(select.options, function (o) { return o.value === String(value); });
    if (!found) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = label || "已选地点";
      select.appendChild(option);
    }
  }

  function apply(fields) {
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || !(el.name in fields) || el.type === "file") { return; }
      var saved = fields[el.name];
      if (el.type === "radio") {
        el.checked = el.value === saved;
      } else if (el.type === "checkbox") {
        el.checked = Array.isArray(saved) && saved.indexOf(el.value) >= 0;
      } else if (Array.isArray(saved)) {
        var i = seen[el.name] || 0;
        el.value = saved[i] === undefined || saved[i] === null ? "" : saved[i];
        seen[el.name] = i + 1;
      } else {
        if (el === placeSelect) { ensureOption(el, saved, draft.placeLabel); }
        el.value = saved;
      }
    });
  }

  function save() {
    draft.fields = collect();
    draft.photos = photos.length;
    draft.at = Date.now();
    var chosen = placeSelect.options[placeSelect.selectedIndex];
    draft.placeLabel = chosen && chosen.value ? chosen.textContent : "";
    try { localStorage.setItem(draftKey, JSON.stringify(draft)); } catch (e) { /* private mode or full: memory only */ }
  }

  var fresh = form.getAttribute("data-fresh") === "1";
  var restored = false;
  if (draft && draft.token) {
    tokenInput.value = draft.token;
    if (fresh && draft.fields) {
      apply(draft.fields);
      restored = hasContent(draft);
    }
  } else {
    draft = { token: tokenInput.value || newToken(), fields: {}, photos: 0, failed: false };
    tokenInput.value = draft.token;
  }

  // ------------------------------------------------------------------ venue type → place fields
  function chosenType() {
    var radio = form.querySelector("input[name=type]:checked");
    if (!radio) { return null; }
    return {
      value: radio.value, named: radio.getAttribute("data-named") === "1",
      households: radio.getAttribute("data-households") === "1", placeLabel: radio.getAttribute("data-place-label")
    };
  }

  function sync() {
    var venue = chosenType();
    placeBox.hidden = !!(venue && venue.named);
    namedBox.hidden = !venue || !venue.named;
    householdsBox.hidden = !venue || !venue.households;
    placeTitle.textContent = venue && !venue.named ? venue.placeLabel : "宣传地点";
    form.querySelectorAll(".field .hint[data-until-type]").forEach(function (hint) { hint.hidden = !!venue; });
  }

  var placesSeq = 0, searchTimer = null, CACHE = "outreach-places";

  function remember(query, rows) {
    try {
      var cache = JSON.parse(localStorage.getItem(CACHE)) || {};
      delete cache[query];
      cache[query] = rows;
      var keys = Object.keys(cache);
      while (keys.length > 30) { delete cache[keys.shift()]; }
      localStorage.setItem(CACHE, JSON.stringify(cache));
    } catch (e) { /* no room: fine */ }
  }
  function recall(query) {
    try { return (JSON.parse(localStorage.getItem(CACHE)) || {})[query] || null; } catch (e) { return null; }
  }

  function fillPlaces(rows, venue, keep, note) {
    var current = keep ? placeSelect.value : "";
    var chosen = placeSelect.options[placeSelect.selectedIndex];
    var currentLabel = chosen ? chosen.textContent : "";
    while (placeSelect.firstChild) { placeSelect.removeChild(placeSelect.firstChild); }
    var head = document.createElement("option");
    head.value = "";
    head.textContent = rows.length ? "请选择" + venue.placeLabel : (note || "没有符合的" + venue.placeLabel + "，请换个乡镇或名称");
    placeSelect.appendChild(head);
    rows.forEach(function (row) {
      var option = document.createElement("option");
      option.value = row.id;
      option.textContent = row.name + (!town.value && row.town ? "（" + row.town + "）" : "");
      placeSelect.appendChild(option);
    });
    if (current) { ensureOption(placeSelect, current, currentLabel); }
    placeSelect.value = current;
    var more = form.querySelector("[data-more-places]");
    if (!more) {
      more = document.createElement("div");
      more.className = "muted small";
      more.setAttribute("data-more-places", "");
      placeSelect.parentNode.insertBefore(more, placeSelect.nextSibling);
    }
    more.textContent = note && rows.length ? note : (rows.length >= 50 ? "只列出了前 50 个，请输入名称筛选" : "");
    more.hidden = !more.textContent;
  }

  function loadPlaces(keep) {
    var venue = chosenType();
    if (!venue || venue.named) { return; }
    var query = "type=" + encodeURIComponent(venue.value) + "&town=" + encodeURIComponent(town.value) +
      "&q=" + encodeURIComponent(search.value.trim());
    var seq = ++placesSeq;
    fetch(placesUrl + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok || (response.headers.get("Content-Type") || "").indexOf("json") < 0) { throw new Error("places"); }
        return response.json();
      })
      .then(function (rows) {
        if (seq !== placesSeq) { return; }
        remember(query, rows);
        fillPlaces(rows, venue, keep);
      })
      .catch(function () {
        if (seq !== placesSeq) { return; }
        var cached = recall(query);
        fillPlaces(cached || [], venue, keep, cached ? "网络不畅，显示的是上次加载的地点" : "地点列表加载失败（网络不畅），请稍后重选乡镇");
      });
  }

  form.querySelectorAll("input[name=type]").forEach(function (radio) {
    radio.addEventListener("change", function () { sync(); loadPlaces(false); });
  });
  town.addEventListener("change", function () { loadPlaces(false); });
  search.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { loadPlaces(true); }, 300);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); clearTimeout(searchTimer); loadPlaces(true); }
  });

  // ------------------------------------------------------------------ photos: shrink, keep, list
  function decode(file) {
    if (typeof window.createImageBitmap === "function") {
      return window.createImageBitmap(file, { imageOrientation: "from-image" })["catch"](function () {
        return window.createImageBitmap(file);
      }).then(function (bitmap) {
        return { source: bitmap, width: bitmap.width, height: bitmap.height, close: function () { bitmap.close(); } };
      });
    }
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), image = new Image();
      image.onload = function () {
        resolve({ source: image, width: image.naturalWidth, height: image.naturalHeight, close: function () { URL.revokeObjectURL(url); } });
      };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      image.src = url;
    });
  }

  // A phone photo is 3–10 MB and 4000 pixels wide; the server keeps maxSide pixels anyway. Anything
  // that cannot be shrunk is kept as it is, and the server says what is wrong with it.
  function shrink(file) {
    if (!/^image\//.test(file.type) || file.type === "image/gif" || typeof HTMLCanvasElement.prototype.toBlob !== "function") {
      return Promise.resolve(file);
    }
    return decode(file).then(function (picture) {
      var scale = Math.min(1, maxSide / Math.max(picture.width, picture.height));
      if (scale === 1 && file.type === "image/jpeg" && file.size < 1.5 * 1024 * 1024) { picture.close(); return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(picture.width * scale));
      canvas.height = Math.max(1, Math.round(picture.height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a transparent PNG becomes white, as on the server
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(picture.source, 0, 0, canvas.width, canvas.height);
      picture.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || (scale === 1 && blob.size >= file.size)) { resolve(file); return; }
          resolve(new Blob([blob], { type: "image/jpeg" }));
        }, "image/jpeg", 0.85);
      });
    })["catch"](function () { return file; });
  }

  function photoName(file, blob) {
    var base = (file.name || "照片").replace(/\.[^.]*$/, "");
    return blob === file ? (file.name || "照片") : base + ".jpg";
  }

  function renderPhotos() {
    while (photoList.firstChild) { photoList.removeChild(photoList.firstChild); }
    photos.forEach(function (photo, index) {
      if (!photo.url) { photo.url = URL.createObjectURL(photo.blob); }
      var item = document.createElement("li");
      var image = document.createElement("img");
      image.src = photo.url;
      image.alt = photo.name;
      var size = document.createElement("span");
      size.textContent = megabytes(photo.blob.size);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", "删除第 " + (index + 1) + " 张照片");
      remove.setAttribute("data-remove", String(index));
      item.appendChild(image);
      item.appendChild(size);
      item.appendChild(remove);
      photoList.appendChild(item);
    });
    photoList.hidden = !photos.length;
  }

  var busy = 0;
  function setBusy(delta) {
    busy += delta;
    submitButton.disabled = busy > 0 || sending;
  }

  var noteText = photoNote.textContent;
  function photoMessage(text) { photoNote.textContent = text || noteText; }

  form.querySelectorAll("[data-photo-input]").forEach(function (input) {
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      input.value = "";  // the photos travel from the list below, not from the input
      if (!files.length) { return; }
      var room = maxPhotos - photos.length;
      if (room <= 0) { photoMessage("每次活动最多 " + maxPhotos + " 张照片，请先删去不需要的"); return; }
      var skipped = Math.max(0, files.length - room);
      files = files.slice(0, room);
      setBusy(1);
      photoMessage("正在压缩 " + files.length + " 张照片…");
      var before = 0, after = 0;
      files.reduce(function (chain, file) {
        return chain.then(function () {
          return shrink(file).then(function (blob) {
            var photo = { name: photoName(file, blob), blob: blob };
            before += file.size;
            after += blob.size;
            return store.add({ owner: draftKey, token: draft.token, name: photo.name, blob: blob, at: Date.now() }).then(function (id) {
              photo.id = id;
              photos.push(photo);
            });
          });
        });
      }, Promise.resolve()).then(function () {
        photoMessage("已添加 " + files.length + " 张照片（" + megabytes(before) + " 压缩为 " + megabytes(after) + "）" +
          (skipped ? "；超过 " + maxPhotos + " 张，另 " + skipped + " 张未添加" : "") + "。未上传成功前保存在本机。");
      })["catch"](function () {
        photoMessage("有照片未能添加，请重新选择");
      }).then(function () {
        renderPhotos();
        save();
        setBusy(-1);
      });
    });
  });

  photoList.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-remove]") : null;
    if (!button) { return; }
    var photo = photos.splice(parseInt(button.getAttribute("data-remove"), 10), 1)[0];
    if (!photo) { return; }
    if (photo.url) { URL.revokeObjectURL(photo.url); }
    if (photo.id !== null && photo.id !== undefined) { store.remove(photo.id); }
    renderPhotos();
    save();
    photoMessage("");
  });

  // ------------------------------------------------------------------ errors by the fields
  function clearErrors() {
    form.querySelectorAll("[data-error-for]").forEach(function (box) { box.textContent = ""; });
    form.querySelectorAll(".field.bad").forEach(function (field) { field.classList.remove("bad"); });
    var top = document.querySelector("[data-testid=form-errors]");
    if (top) { top.hidden = true; }
  }

  function showErrors(errors) {
    var first = null, general = [];
    Object.keys(errors).forEach(function (name) {
      var box = form.querySelector("[data-error-for='" + name + "']");
      if (!box) { general.push(errors[name]); return; }
      box.textContent = errors[name];
      var field = box.closest(".field");
      if (field) {
        field.classList.add("bad");
        if (field.hidden) { field.hidden = false; }
        var details = field.closest("details");
        if (details) { details.open = true; }
      }
      first = first || field || box;
    });
    show(general.length ? general.join("；") : "还有内容需要修改，请看红字提示（内容已保存在本机）", "bad");
    if (first && first.scrollIntoView) { first.scrollIntoView({ block: "center" }); }
  }

  // ------------------------------------------------------------------ sending
  var sending = false, retryTimer = null, retryDelay = 20000;

  function failed(text) {
    sending = false;
    setBusy(0);
    draft.failed = true;
    save();
    show(text || "上传失败，内容已保存在本机。网络恢复后会自动重试，也可以点“重试”。", "bad");
    retryButton.hidden = false;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () { if (navigator.onLine !== false) { send(); } }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 5 * 60 * 1000);
  }

  function loginExpired() {
    sending = false;
    setBusy(0);
    save();
    show("登录已过期，内容已保存在本机：请重新登录，登录后会回到本页继续提交。", "bad");
    retryButton.hidden = false;
    retryButton.textContent = "重新登录";
    retryButton.setAttribute("data-login", "1");
  }

  function succeeded(body) {
    clearTimeout(retryTimer);
    show(body.duplicate ? "这条记录此前已保存，正在打开…" : "已保存，正在打开…", "good");
    try { localStorage.removeItem(draftKey); } catch (e) { /* nothing kept */ }
    var left = false;
    var leave = function () { if (!left) { left = true; window.location.href = body.url; } };
    store.clear(draft.token).then(leave, leave);
    setTimeout(leave, 2000);
  }

  function pathOf(url) {
    try { return new URL(url, window.location.href).pathname; } catch (e) { return url || ""; }
  }

  function received(xhr) {
    var body = null;
    if ((xhr.getResponseHeader("Content-Type") || "").indexOf("json") >= 0) {
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
    }
    if (xhr.responseURL && /\/login$/.test(pathOf(xhr.responseURL))) { loginExpired(); return; }
    if (xhr.status === 200 && body && body.ok) { succeeded(body); return; }
    if (xhr.status >= 400 && xhr.status < 500 && body && body.errors) {
      sending = false;
      setBusy(0);
      retryButton.hidden = true;
      draft.failed = false;
      save();
      showErrors(body.errors);
      if (body.reload) {
        retryButton.hidden = false;
        retryButton.textContent = "刷新页面";
        retryButton.setAttribute("data-reload", "1");
      }
      return;
    }
    if (xhr.status === 403) {
      sending = false;
      setBusy(0);
      show("您的账号没有记录宣传活动的权限，内容已保存在本机。", "bad");
      return;
    }
    failed();  // 5xx, a proxy's or a captive portal's page: keep everything and try again
  }

  function send() {
    if (sending || busy > 0) { return; }
    clearTimeout(retryTimer);
    clearErrors();
    save();
    var data = new FormData(form);
    if (typeof data["delete"] === "function") { data["delete"]("photos"); }
    var size = 0;
    photos.forEach(function (photo) {
      data.append("photos", photo.blob, photo.name);
      size += photo.blob.size;
    });
    if (size + 256 * 1024 > maxRequest) {
      showErrors({ photos: "照片合计 " + megabytes(size) + "，超过单次上传的上限 " + megabytes(maxRequest) + "：请删去几张照片后再提交" });
      return;
    }
    sending = true;
    setBusy(0);
    retryButton.hidden = true;
    show("正在上传…");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action"), true);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.timeout = Math.min(5 * 60 * 1000, 30000 + Math.round(size / 1024 / 1024 * 20000));  // ~50 KB/s at worst
    if (xhr.upload && size > 64 * 1024) {
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) { show("正在上传… " + Math.floor(event.loaded / event.total * 100) + "%"); }
      };
    }
    xhr.onload = function () { received(xhr); };
    xhr.onerror = function () { failed(); };
    xhr.ontimeout = function () { failed("网络太慢，上传超时：内容已保存在本机。网络恢复后会自动重试，也可以点“重试”。"); };
    xhr.onabort = function () { failed(); };
    xhr.send(data);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });
  retryButton.addEventListener("click", function () {
    if (retryButton.getAttribute("data-login")) { save(); window.location.href = form.getAttribute("data-login-url"); return; }
    if (retryButton.getAttribute("data-reload")) { save(); window.location.reload(); return; }
    retryDelay = 20000;
    send();
  });
  window.addEventListener("online", function () { if (draft.failed && !sending) { send(); } });

  form.addEventListener("input", function (event) { if (event.target.type !== "file") { save(); } });
  form.addEventListener("change", function (event) { if (event.target.type !== "file") { save(); } });

  // ------------------------------------------------------------------ clearing the draft
  document.querySelectorAll("[data-clear]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!window.confirm("清空本机保存的内容（包括照片），重新填写？")) { return; }
      store.clear(draft.token);
      photos.forEach(function (photo) { if (photo.url) { URL.revokeObjectURL(photo.url); } });
      photos = [];
      try { localStorage.removeItem(draftKey); } catch (e) { /* nothing kept */ }
      form.reset();
      draft = { token: newToken(), fields: {}, photos: 0, failed: false };
      tokenInput.value = draft.token;
      clearErrors();
      show("");
      retryButton.hidden = true;
      if (restoredNotice) { restoredNotice.hidden = true; }
      renderPhotos();
      photoMessage("");
      sync();
      loadPlaces(false);
      save();
    });
  });

  // ------------------------------------------------------------------ start
  sync();
  if (chosenType()) { loadPlaces(true); }
  store.prune(draftKey, draft.token);
  store.list(draft.token).then(function (rows) {
    var kept = rows.map(function (row) { return { id: row.id, name: row.name, blob: row.blob }; });
    photos = kept.concat(photos.filter(function (p) { return !rows.some(function (r) { return r.id === p.id; }); }));
    if (photos.length) { restored = true; }
    renderPhotos();
    if (restored && restoredNotice) { restoredNotice.hidden = false; }
    save();
    if (draft.failed) {
      show("上次上传没有成功，内容已保存在本机：请点“重试”。", "bad");
      retryButton.hidden = false;
    }
  });
  if (restored && restoredNotice) { restoredNotice.hidden = false; }
})();
