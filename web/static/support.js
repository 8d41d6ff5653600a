/* The support console: the queue with its alerts, one conversation, claim / reply / note /
 * hand back / close, canned replies, typing both ways, the transcript download.
 * Talks only to this site's /api/support (same-origin, cookie auth); all text via textContent. */
(function () {
  "use strict";

  var POLL_MS = 2500;
  var TYPING_POLL_MS = 1000;
  var CANNED_POLL_MS = 30000;
  var SEND_EVERY_MS = 2500;
  var IDLE_MS = 4000;
  var BASE_TITLE = document.title;
  var SOUND_KEY = "advisor.console.sound";
  var DESKTOP_KEY = "advisor.console.desktop";

  var current = null; // the open conversation id
  var mine = false; // whether I handle the open conversation
  var me = "";
  var known = null; // waiting conversation ids seen so far (null until the first load)
  var canned = [];
  var audio = null;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function status(text) {
    $("console-status").textContent = text || "";
    $("console-status").hidden = !text;
  }

  function api(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch("/api/support" + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status === 401) window.location.assign("/login?next=/support");
        if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
        return data;
      });
    });
  }

  function conversationPath(id, rest) {
    return "/conversations/" + encodeURIComponent(id) + (rest || "");
  }

  function duration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return seconds + " s";
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + " min " + (seconds % 60) + " s";
    return Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
  }

  function time(ts) {
    return ts ? new Date(ts * 1000).toLocaleTimeString() : "";
  }

  function shortId(id) {
    return id.length > 14 ? id.slice(0, 12) + "…" : id;
  }

  // -- alerts: the tab title, the badge, a sound, a desktop notification ---------------------

  function chime() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!audio) audio = new Context();
    [880, 660].forEach(function (pitch, i) {
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.frequency.value = pitch;
      gain.gain.value = 0.12;
      tone.connect(gain);
      gain.connect(audio.destination);
      var start = audio.currentTime + i * 0.18;
      tone.start(start);
      tone.stop(start + 0.15);
    });
  }

  function desktopOn() {
    return "Notification" in window && Notification.permission === "granted" &&
      localStorage.getItem(DESKTOP_KEY) === "on";
  }

  function showDesktopState() {
    var button = $("desktop");
    if (!("Notification" in window)) {
      button.disabled = true;
      button.textContent = "Desktop notifications unavailable";
      return;
    }
    var denied = Notification.permission === "denied";
    button.disabled = denied;
    button.textContent = denied ? "Desktop notifications blocked"
      : desktopOn() ? "Desktop notifications on" : "Desktop notifications off";
    button.setAttribute("aria-pressed", desktopOn() ? "true" : "false");
  }

  function alertNew(handoff) {
    var what = handoff.unanswered || handoff.needs || handoff.last_message || "no needs stated";
    $("announce").textContent = "New handoff waiting: " + what;
    if ($("sound").checked) chime();
    if (desktopOn()) {
      var note = new Notification("Someone is waiting for a person", {
        body: what, tag: handoff.conversation_id,
      });
      note.onclick = function () { window.focus(); open(handoff.conversation_id); };
    }
  }

  function countWaiting(data) {
    var waiting = data.open.filter(function (h) { return h.status === "waiting"; });
    document.title = (waiting.length ? "(" + waiting.length + ") " : "") + BASE_TITLE;
    $("queue-count").textContent = String(waiting.length);
    $("queue-count").hidden = waiting.length === 0;
    $("queue-count").setAttribute("aria-label", waiting.length + " waiting");
    var ids = {};
    waiting.forEach(function (handoff) {
      ids[handoff.conversation_id] = true;
      if (known && !known[handoff.conversation_id]) alertNew(handoff);
    });
    known = ids;
  }

  // -- the queue ---------------------------------------------------------------------------

  function queueItem(handoff) {
    var li = el("li", "item " + handoff.status + " wait-" + handoff.wait_level);
    li.dataset.conversation = handoff.conversation_id;
    var button = el("button", "open");
    button.type = "button";
    button.appendChild(el("span", "id", shortId(handoff.conversation_id)));
    var state = handoff.status === "waiting"
      ? "waiting " + duration(handoff.wait_seconds)
      : handoff.status === "abandoned" ? "abandoned after " + duration(handoff.wait_seconds)
      : handoff.status + " by " + handoff.claimed_by + " after " + duration(handoff.wait_seconds);
    button.appendChild(el("span", "wait", state));
    button.appendChild(el("span", "needs", handoff.needs || "no needs stated"));
    if (handoff.unanswered) button.appendChild(el("span", "last", "Unanswered: “" + handoff.unanswered + "”"));
    else if (handoff.last_message) button.appendChild(el("span", "last", "“" + handoff.last_message + "”"));
    button.addEventListener("click", function () { open(handoff.conversation_id); });
    li.appendChild(button);
    if (handoff.conversation_id === current) li.classList.add("selected");
    return li;
  }

  function refreshQueue() {
    return api("GET", "/queue").then(function (data) {
      me = data.staff;
      $("me").textContent = "Signed in as " + me;
      $("first-start").hidden = data.via !== "first start";
      var list = $("queue");
      list.replaceChildren.apply(list, data.open.map(queueItem));
      $("queue-empty").hidden = data.open.length > 0;
      var recent = $("recent");
      recent.replaceChildren.apply(recent, data.recent.map(queueItem));
      countWaiting(data);
    }).catch(function (error) { status("Could not load the queue: " + error.message); });
  }

  // -- one conversation --------------------------------------------------------------------

  function fill(list, items, render) {
    list.replaceChildren.apply(list, items.map(render));
  }

  var LABELS = { shopper: "shopper", advisor: "advisor", staff: "staff", note: "internal note",
    rating: "rating" };

  function transcriptEntry(entry) {
    var paused = entry.paused && entry.role === "shopper"; // written while the bot was paused
    var li = el("li", "msg " + entry.role + (paused ? " paused" : ""));
    li.dataset.kind = entry.kind;
    if (entry.kind === "action") {
      li.appendChild(el("span", "text", entry.text + " · " + time(entry.ts)));
      return li;
    }
    var label = LABELS[entry.role] || entry.role;
    if (entry.who && entry.kind !== "rating") label += " · " + entry.who;
    if (entry.ts) label += " · " + time(entry.ts);
    li.appendChild(el("span", "role", label));
    li.appendChild(el("span", "text", entry.text));
    return li;
  }

  function showSummary(summary, products) {
    $("summary-needs").textContent = summary.needs || "none stated";
    var unanswered = summary.unanswered || null;
    $("summary-unanswered").hidden = !unanswered;
    $("summary-unanswered-text").textContent = unanswered ? "“" + unanswered.text + "”" : "";
    $("summary-unanswered-why").textContent = unanswered ? "(" + unanswered.why + ")" : "";
    var recommendation = summary.recommendation || null;
    $("summary-recommendation").hidden = !recommendation;
    $("summary-recommendation-text").textContent = recommendation ? recommendation.text : "";
    fill($("products"), products, function (p) {
      return el("li", "", p.name + (p.how && p.how.length ? " (" + p.how.join(", ") + ")" : ""));
    });
    if (!products.length) $("products").appendChild(el("li", "muted", "none yet"));
    fill($("summary-messages"), summary.last_messages || [], function (m) {
      return el("li", "msg " + m.role, m.role + ": " + m.text);
    });
  }

  function showTyping(who) {
    var shopper = (who || []).some(function (t) { return t.role === "shopper"; });
    $("shopper-typing").hidden = !shopper;
  }

  function showConversation(data) {
    var handoff = data.handoff;
    $("detail").hidden = false;
    $("detail-title").textContent = "Conversation " + shortId(data.conversation_id);
    var state = "Not in the queue";
    mine = false;
    if (handoff) {
      mine = handoff.status === "claimed" && handoff.claimed_by === me;
      state = handoff.status === "waiting" ? "Waiting " + duration(handoff.wait_seconds)
        : handoff.status === "claimed" ? (mine ? "You are handling this conversation"
          : "Handled by " + handoff.claimed_by)
        : "Ended: " + handoff.status + (handoff.claimed_by ? " by " + handoff.claimed_by : "");
    }
    $("detail-state").textContent = state;
    $("claim").hidden = !(handoff && handoff.status === "waiting");
    $("hand-back").hidden = !mine;
    $("close").hidden = !mine;
    $("reply-form").hidden = !mine;
    $("note-form").hidden = !handoff;
    $("download").href = "/api/support" + conversationPath(data.conversation_id, "/transcript.txt");
    showSummary((handoff && handoff.summary) || {}, data.products);
    showTyping(data.typing);
    var transcript = $("transcript");
    var atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
    fill(transcript, data.transcript, transcriptEntry);
    if (atBottom) transcript.scrollTop = transcript.scrollHeight;
  }

  function refreshConversation() {
    if (!current) return Promise.resolve();
    var id = current;
    return api("GET", conversationPath(id)).then(function (data) {
      if (id === current) showConversation(data);
    }).catch(function (error) { status("Could not load the conversation: " + error.message); });
  }

  function refreshTyping() {
    if (!current) return Promise.resolve();
    var id = current;
    return api("GET", conversationPath(id, "/typing")).then(function (data) {
      if (id === current) showTyping(data.typing);
    }).catch(function () { /* the next full refresh shows any problem */ });
  }

  function open(id) {
    if (current !== id) stopTyping();
    current = id;
    status("");
    Array.prototype.forEach.call(document.querySelectorAll("#queue .item"), function (li) {
      li.classList.toggle("selected", li.dataset.conversation === id);
    });
    refreshConversation();
  }

  function act(path, body, done) {
    if (!current) return;
    status("");
    api("POST", conversationPath(current, path), body)
      .then(function (data) {
        if (data.warning) status(data.warning);
        if (done) done();
      })
      .catch(function (error) { status(error.message); })
      .then(function () { return Promise.all([refreshQueue(), refreshConversation()]); });
  }

  // -- confirmation before Close and Hand back ---------------------------------------------

  function confirmThen(text, okLabel, action) {
    var dialog = $("confirm");
    $("confirm-text").textContent = text;
    $("confirm-ok").textContent = okLabel;
    dialog.returnValue = "";
    dialog.onclose = function () {
      dialog.onclose = null;
      if (dialog.returnValue === "ok") action();
    };
    dialog.showModal();
  }

  $("claim").addEventListener("click", function () { act("/claim"); });
  $("hand-back").addEventListener("click", function () {
    confirmThen("Hand this conversation back to the advisor? The shopper is told the advisor " +
      "is back.", "Hand back", function () { stopTyping(); act("/hand-back"); });
  });
  $("close").addEventListener("click", function () {
    confirmThen("Close this support chat? The shopper is told you have left, the advisor " +
      "answers again, and they are asked to rate the chat.", "Close the chat",
      function () { stopTyping(); act("/close"); });
  });

  // -- replying: canned replies, typing, sending -------------------------------------------

  var reply = $("reply-text");
  var typingSince = 0;
  var lastSent = 0;
  var idleTimer = null;

  function signal(on) {
    if (!current) return;
    lastSent = on ? Date.now() : 0;
    typingSince = on ? typingSince || Date.now() : 0;
    api("POST", conversationPath(current, "/typing"), { typing: on })
      .catch(function () { /* typing is a nicety */ });
  }

  function stopTyping() {
    clearTimeout(idleTimer);
    if (typingSince) signal(false);
  }

  reply.addEventListener("input", function () {
    if (!mine) return;
    if (!reply.value.trim()) {
      stopTyping();
      return;
    }
    if (!typingSince || Date.now() - lastSent >= SEND_EVERY_MS) signal(true);
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stopTyping, IDLE_MS);
  });

  function insert(text) {
    var start = reply.selectionStart || 0;
    var end = reply.selectionEnd || 0;
    reply.value = reply.value.slice(0, start) + text + reply.value.slice(end);
    reply.selectionStart = reply.selectionEnd = start + text.length;
    reply.focus();
    reply.dispatchEvent(new Event("input"));
  }

  function showCanned(data) {
    canned = data.replies || [];
    var bar = $("canned");
    fill(bar, canned, function (item) {
      var button = el("button", "canned-reply", item.title);
      button.type = "button";
      button.title = item.text + (item.shortcut ? " (" + item.shortcut + ")" : "");
      if (item.shortcut) button.appendChild(el("kbd", "", item.shortcut));
      button.addEventListener("click", function () { insert(item.text); });
      return button;
    });
    $("canned-error").textContent = data.error ? "Canned replies: " + data.error : "";
    $("canned-error").hidden = !data.error;
  }

  function refreshCanned() {
    api("GET", "/canned").then(showCanned)
      .catch(function (error) { showCanned({ error: error.message }); });
  }

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || $("reply-form").hidden) return;
    var digit = /^Digit([1-9])$/.exec(event.code || "");
    var item = digit && canned[Number(digit[1]) - 1];
    if (!item) return;
    event.preventDefault();
    insert(item.text);
  });

  $("reply-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = reply.value.trim();
    if (!text) return;
    clearTimeout(idleTimer);
    typingSince = 0;
    act("/reply", { text: text }, function () { reply.value = ""; });
  });
  reply.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.altKey) {
      event.preventDefault();
      $("reply-form").requestSubmit();
    }
  });

  $("note-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("note-text").value.trim();
    if (!text) return;
    act("/notes", { text: text }, function () { $("note-text").value = ""; });
  });

  // -- settings: sound and desktop notifications -------------------------------------------

  $("sound").checked = localStorage.getItem(SOUND_KEY) === "on";
  $("sound").addEventListener("change", function () {
    localStorage.setItem(SOUND_KEY, $("sound").checked ? "on" : "off");
    if ($("sound").checked) chime(); // a click allows audio, and lets the agent hear it
  });
  $("desktop").addEventListener("click", function () {
    if (desktopOn()) {
      localStorage.setItem(DESKTOP_KEY, "off");
      showDesktopState();
      return;
    }
    Notification.requestPermission().then(function (permission) {
      if (permission === "granted") localStorage.setItem(DESKTOP_KEY, "on");
      showDesktopState();
    });
  });
  showDesktopState();

  function poll() {
    Promise.all([refreshQueue(), refreshConversation()]).then(function () {
      setTimeout(poll, POLL_MS);
    });
  }
  setInterval(refreshTyping, TYPING_POLL_MS);
  setInterval(refreshCanned, CANNED_POLL_MS);
  refreshCanned();
  poll();
})();
