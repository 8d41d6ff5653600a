/* The shopper chat's support side: typing signals to and from a person, and the rating asked
 * after a person closes the support chat. Runs after chat.js, which shares its socket and the
 * conversation id as window.advisorChat. Typing travels on the socket's side path ("typing"
 * events), never as a message. All text is set with textContent. */
(function () {
  "use strict";

  var chat = window.advisorChat;
  if (!chat || !chat.socket) return;
  var socket = chat.socket;
  var HANDOFF_KEY = "advisor.handoff";
  var SKIPPED_KEY = "advisor.rating_skipped";
  var SEND_EVERY_MS = 2500;   // a "still typing" signal while the shopper keeps typing
  var IDLE_MS = 4000;         // no key for this long: stopped typing
  var SHOW_MS = 6500;         // a person's typing shows this long unless repeated

  var input = document.getElementById("input");
  var form = document.getElementById("composer");
  var messages = document.getElementById("messages");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function inHandoff() {
    try {
      return Boolean(JSON.parse(localStorage.getItem(HANDOFF_KEY)));
    } catch (e) {
      return false;
    }
  }

  // -- the shopper's typing, for the person handling the chat ----------------------------------
  var typingSince = 0;
  var lastSent = 0;
  var idleTimer = null;

  function signal(on) {
    socket.emit("typing", { typing: on });
    lastSent = on ? Date.now() : 0;
    typingSince = on ? typingSince || Date.now() : 0;
  }

  function stopTyping() {
    clearTimeout(idleTimer);
    if (typingSince) signal(false);
  }

  if (input && form) {
    input.addEventListener("input", function () {
      if (!inHandoff()) return;
      if (!input.value.trim()) {
        stopTyping();
        return;
      }
      if (!typingSince || Date.now() - lastSent >= SEND_EVERY_MS) signal(true);
      clearTimeout(idleTimer);
      idleTimer = setTimeout(stopTyping, IDLE_MS);
    });
    form.addEventListener("submit", stopTyping);
    input.addEventListener("blur", stopTyping);
  }

  // -- a person's typing, shown to the shopper ---------------------------------------------------
  var staffTyping = el("p", "staff-typing");
  staffTyping.id = "staff-typing";
  staffTyping.setAttribute("role", "status");
  staffTyping.hidden = true;
  if (form) form.parentNode.insertBefore(staffTyping, form);
  var showTimer = null;

  function showStaffTyping(name, on) {
    clearTimeout(showTimer);
    staffTyping.hidden = !on;
    staffTyping.textContent = on ? (name || "Support") + " is typing…" : "";
    if (on) showTimer = setTimeout(function () { showStaffTyping(null, false); }, SHOW_MS);
  }

  socket.on("typing", function (data) {
    if (!data || typeof data !== "object" || data.role !== "staff") return;
    showStaffTyping(typeof data.name === "string" ? data.name : "", data.typing === true);
  });

  // -- the rating after a person closed the chat -------------------------------------------------
  var ratingBox = null;

  function skipped() {
    try {
      return JSON.parse(localStorage.getItem(SKIPPED_KEY)) || [];
    } catch (e) {
      return [];
    }
  }

  function closeRating(thanks) {
    if (!ratingBox) return;
    if (thanks) {
      ratingBox.replaceChildren(el("p", "bubble", thanks));
    } else {
      ratingBox.remove();
    }
    ratingBox = null;
  }

  function showRating(pending) {
    if (ratingBox || skipped().indexOf(pending.handoff) !== -1) return;
    var score = 0;
    ratingBox = el("form", "row bot rating");
    ratingBox.id = "rating";
    var who = pending.staff ? "your chat with " + pending.staff : "this support chat";
    var legend = el("p", "bubble", "How was " + who + "? Rate it from 1 to 5.");
    legend.id = "rating-question";
    ratingBox.appendChild(legend);
    var stars = el("div", "rating-scores");
    stars.setAttribute("role", "group");
    stars.setAttribute("aria-labelledby", "rating-question");
    [1, 2, 3, 4, 5].forEach(function (n) {
      var button = el("button", "rating-score", String(n));
      button.type = "button";
      button.dataset.score = String(n);
      button.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-label", n + " out of 5");
      button.addEventListener("click", function () {
        score = n;
        Array.prototype.forEach.call(stars.children, function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        send.disabled = false;
      });
      stars.appendChild(button);
    });
    ratingBox.appendChild(stars);
    var label = el("label", "rating-comment", "Anything to add? (optional)");
    var comment = el("textarea");
    comment.name = "comment";
    comment.rows = 2;
    comment.maxLength = 500;
    label.appendChild(comment);
    ratingBox.appendChild(label);
    var note = el("p", "rating-note");
    note.setAttribute("role", "alert");
    var actions = el("div", "rating-actions");
    var send = el("button", "", "Send rating");
    send.type = "submit";
    send.disabled = true;
    var skip = el("button", "link", "No thanks");
    skip.type = "button";
    skip.addEventListener("click", function () {
      localStorage.setItem(SKIPPED_KEY, JSON.stringify(skipped().concat([pending.handoff])));
      closeRating(null);
    });
    actions.appendChild(send);
    actions.appendChild(skip);
    ratingBox.appendChild(actions);
    ratingBox.appendChild(note);
    ratingBox.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!score) return;
      send.disabled = true;
      fetch("/api/chat/" + encodeURIComponent(chat.sessionId()) + "/rating", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ score: score, comment: comment.value }),
      }).then(function (response) {
        if (response.ok || response.status === 409) {
          closeRating("Thank you for rating this chat.");
        } else {
          return response.json().then(function (body) {
            note.textContent = body.error || "Your rating could not be sent; please try again.";
            send.disabled = false;
          });
        }
      }).catch(function () {
        note.textContent = "Your rating could not be sent; please try again.";
        send.disabled = false;
      });
    });
    messages.appendChild(ratingBox);
    messages.scrollTop = messages.scrollHeight;
  }

  function askIfPending() {
    fetch("/api/chat/" + encodeURIComponent(chat.sessionId()) + "/rating", { cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : { pending: false }; })
      .then(function (body) { if (body.pending) showRating(body); })
      .catch(function () { /* offline: asked again at the next close */ });
  }

  socket.on("bot_uttered", function (msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.sender && msg.sender.role === "staff") showStaffTyping(null, false);
    if (msg.handoff) showStaffTyping(null, false);
    if (msg.handoff === "closed") askIfPending();
  });
  askIfPending();
})();
