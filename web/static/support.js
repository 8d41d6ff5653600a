/* The support console: the queue, one conversation, claim / reply / hand back / close.
 * Talks only to this site's /api/support (same-origin, cookie auth); all text via textContent. */
(function () {
  "use strict";

  var POLL_MS = 2500;
  var current = null; // the open conversation id
  var me = "";
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

  function queueItem(handoff) {
    var li = el("li", "item " + handoff.status);
    li.dataset.conversation = handoff.conversation_id;
    var button = el("button", "open");
    button.type = "button";
    button.appendChild(el("span", "id", shortId(handoff.conversation_id)));
    var state = handoff.status === "waiting"
      ? "waiting " + duration(handoff.wait_seconds)
      : handoff.status + " by " + handoff.claimed_by + " after " + duration(handoff.wait_seconds);
    button.appendChild(el("span", "wait", state));
    button.appendChild(el("span", "needs", handoff.needs || "no needs stated"));
    if (handoff.last_message) button.appendChild(el("span", "last", "“" + handoff.last_message + "”"));
    button.addEventListener("click", function () { open(handoff.conversation_id); });
    li.appendChild(button);
    if (handoff.conversation_id === current) li.classList.add("selected");
    return li;
  }

  function refreshQueue() {
    return api("GET", "/queue").then(function (data) {
      me = data.staff;
      $("me").textContent = "Signed in as " + me;
      var list = $("queue");
      list.replaceChildren.apply(list, data.open.map(queueItem));
      $("queue-empty").hidden = data.open.length > 0;
      var recent = $("recent");
      recent.replaceChildren.apply(recent, data.recent.map(queueItem));
    }).catch(function (error) { status("Could not load the queue: " + error.message); });
  }

  function fill(list, items, render) {
    list.replaceChildren.apply(list, items.map(render));
  }

  function showConversation(data) {
    var handoff = data.handoff;
    $("detail").hidden = false;
    $("detail-title").textContent = "Conversation " + shortId(data.conversation_id);
    var state = "Not in the queue";
    var mine = false;
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
    var summary = (handoff && handoff.summary) || {};
    $("summary-needs").textContent = summary.needs || "none stated";
    fill($("products"), data.products, function (p) {
      return el("li", "", p.name + (p.how && p.how.length ? " (" + p.how.join(", ") + ")" : ""));
    });
    if (!data.products.length) $("products").appendChild(el("li", "muted", "none yet"));
    fill($("summary-messages"), summary.last_messages || [], function (m) {
      return el("li", "msg " + m.role, m.role + ": " + m.text);
    });
    var transcript = $("transcript");
    var atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
    fill(transcript, data.transcript, function (m) {
      var li = el("li", "msg " + m.role + (m.paused ? " paused" : ""));
      li.appendChild(el("span", "role", m.role + (m.ts ? " · " + time(m.ts) : "")));
      li.appendChild(el("span", "text", m.text));
      return li;
    });
    if (atBottom) transcript.scrollTop = transcript.scrollHeight;
  }

  function refreshConversation() {
    if (!current) return Promise.resolve();
    var id = current;
    return api("GET", "/conversations/" + encodeURIComponent(id)).then(function (data) {
      if (id === current) showConversation(data);
    }).catch(function (error) { status("Could not load the conversation: " + error.message); });
  }

  function open(id) {
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
    api("POST", "/conversations/" + encodeURIComponent(current) + path, body)
      .then(function (data) {
        if (data.warning) status(data.warning);
        if (done) done();
      })
      .catch(function (error) { status(error.message); })
      .then(function () { return Promise.all([refreshQueue(), refreshConversation()]); });
  }

  $("claim").addEventListener("click", function () { act("/claim"); });
  $("hand-back").addEventListener("click", function () { act("/hand-back"); });
  $("close").addEventListener("click", function () { act("/close"); });
  $("reply-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("reply-text").value.trim();
    if (!text) return;
    act("/reply", { text: text }, function () { $("reply-text").value = ""; });
  });
  $("reply-text").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("reply-form").requestSubmit();
    }
  });

  function poll() {
    Promise.all([refreshQueue(), refreshConversation()]).then(function () {
      setTimeout(poll, POLL_MS);
    });
  }
  poll();
})();
